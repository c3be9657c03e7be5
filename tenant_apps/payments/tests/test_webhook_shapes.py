"""Signed webhook bodies that are not what the provider documents get a 400 naming the
problem (they were 500s); an event type we don't handle is still a 200 (Stripe retries
anything else for days)."""

from __future__ import annotations

import json

import pytest

from tenant_apps.payments.tests.fakes import stripe_event
from tenant_apps.payments.tests.helpers import post_stripe_event

# A refund object as documented (https://docs.stripe.com/api/refunds/object), amount broken.
REFUND = {"id": "re_123", "object": "refund", "amount": 1000, "currency": "usd",
          "payment_intent": "pi_123", "status": "succeeded", "metadata": {}}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "obj"),
    [
        ("payment_intent.succeeded", [{"id": "pi_123"}]),
        ("refund.updated", ["re_123"]),
        ("refund.updated", {**REFUND, "amount": "ten dollars"}),
        ("refund.updated", {**REFUND, "amount": {"value": 1000}}),
        ("payment_intent.payment_failed", {"id": "pi_1", "last_payment_error": "declined"}),
    ],
    ids=["object-is-a-list", "refund-is-a-list", "amount-text", "amount-object", "error-text"],
)
def test_a_signed_event_of_the_wrong_shape_is_a_400(api, alpha, stripe_keys, kind, obj):
    response = post_stripe_event(
        api(alpha.host), stripe_event(kind, obj), stripe_keys["webhook_secret"]
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_payload"
    assert "data.object" in response.json()["message"]


def test_a_signed_event_nested_thousands_deep_is_a_400(api, alpha, stripe_keys):
    payload = json.dumps({"id": "evt_1", "type": "refund.updated"}).encode()[:-1]
    payload += b', "data": ' + b"[" * 9000 + b"]" * 9000 + b"}"

    response = post_stripe_event(api(alpha.host), payload, stripe_keys["webhook_secret"])

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
    assert "nested deeper than" in response.json()["message"]


def test_an_unknown_event_type_is_still_a_200(api, alpha, stripe_keys):
    payload = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})

    response = post_stripe_event(api(alpha.host), payload, stripe_keys["webhook_secret"])

    assert response.status_code == 200
