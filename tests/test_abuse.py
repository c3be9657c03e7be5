"""Issue 15's abuse cases sent to every JSON endpoint of both hosts, found by walking the
OpenAPI documents each host serves (so a new endpoint is covered the day it is added):

- bodies: JSON nested 9,000 deep, 20 MB, the wrong content types, on every operation that
  takes a body;
- query parameters: out-of-range dates and months on every date or month parameter, and
  numbers that are not numbers (text, NaN, 1e999) on every numeric one;
- signed webhooks (Stripe and Paystack) whose `data.object` is a list or whose amount is not
  a number.

Each answer must be a 4xx with the one JSON error body (`code`, `message`, `fields`), never a
500. tests/test_input_limits.py and tests/test_no_server_errors.py hold the field-by-field
cases; this file is the walk over everything."""

from __future__ import annotations

import json
import uuid

import pytest
from django_tenants.utils import tenant_context

from shared_apps.accounts.tests.factories import UserFactory

DEEP = b"[" * 9000 + b"]" * 9000  # 18 KB: the decoder's RecursionError was a 500
HUGE = b'{"a": "' + b"x" * (20 * 1024 * 1024) + b'"}'  # 20 MB: handler400 crashed on it
WRONG_TYPES = [
    ("text/plain", b"hello"),
    ("application/xml", b"<a>1</a>"),
    ("application/x-www-form-urlencoded", b"a=%ZZ&b"),
    ("multipart/form-data; boundary=x", b"--x\r\nnot a part\r\n--x--"),
    ("application/json", b"\xff\xfe not utf-8"),
]
BAD_DATES = ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01", "2024-13-45", "x" * 300]
BAD_MONTHS = ["0000-01", "9999-12", "2024-13", "2024-00", "1999-12", "2101-01", "x" * 300]
BAD_NUMBERS = ["abc", "NaN", "Infinity", "-Infinity", "1e999", "9" * 400, "0x10", "1,5"]
BODY_METHODS = ("post", "put", "patch", "delete")


def _document(client) -> dict:
    return client.get("/api/schema/", {"format": "json"}).json()


def _operations(document: dict, fill: dict[str, str]):
    """(method, concrete path, operation) for every operation; path parameters filled from
    `fill` by name (ids of real rows, so requests go past the lookup), else a random id."""
    for template, methods in document["paths"].items():
        path = template
        for name in [part[1:-1] for part in template.split("/") if part.startswith("{")]:
            path = path.replace(f"{{{name}}}", fill.get(name, str(uuid.uuid4())))
        for method, operation in methods.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method, path, operation


def _is_json_error(response) -> bool:
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(body, dict) and {"code", "message"} <= set(body)


@pytest.fixture
def wrong_answers():
    found: list[tuple] = []

    def check(response, *context) -> None:
        if not 400 <= response.status_code < 500 or not _is_json_error(response):
            found.append((*context, response.status_code, response.content[:150]))

    check.found = found
    return check


def _listed(found: list[tuple]) -> str:
    return f"{len(found)} wrong answers:\n" + "\n".join(str(item)[:300] for item in found)


def _client(api, *args, **kwargs):
    client = api(*args, **kwargs)
    client.raise_request_exception = False  # a crash must show as a 500, not stop the walk
    return client


def _send_hostile_bodies(client, document, fill, check) -> int:
    sent = 0
    for method, path, operation in _operations(document, fill):
        if method not in BODY_METHODS or "requestBody" not in operation:
            continue
        send = getattr(client, method)
        for body, content_type in [(DEEP, "application/json"), (HUGE, "application/json")] + [
            (payload, kind) for kind, payload in WRONG_TYPES
        ]:
            check(send(path, data=body, content_type=content_type), method, path, content_type)
            sent += 1
    return sent


def _send_hostile_parameters(client, document, fill, check) -> int:
    sent = 0
    for method, path, operation in _operations(document, fill):
        for parameter in operation.get("parameters", []):
            if parameter.get("in") != "query":
                continue
            schema = parameter.get("schema", {})
            name = parameter["name"]
            if schema.get("format") == "date" or name in ("check_in", "check_out", "from", "to"):
                values = BAD_DATES
            elif name == "month":
                values = BAD_MONTHS
            elif name == "page_size":
                continue  # DRF's pagination falls back to the default page for junk here
            elif schema.get("type") in ("number", "integer") or schema.get("format") == "decimal":
                values = BAD_NUMBERS
            else:
                continue
            for value in values:
                response = getattr(client, method)(path, {name: value}) if method == "get" else (
                    getattr(client, method)(f"{path}?{name}={value}")
                )  # fmt: skip
                check(response, method, path, name, value)
                sent += 1
    return sent


@pytest.fixture
def listing(alpha, host):
    from tenant_apps.listings.tests.factories import listing_factory

    return listing_factory(alpha.tenant, host)


def test_every_marketplace_endpoint_refuses_hostile_input_with_a_json_4xx(
    api, alpha, host, listing, wrong_answers
):
    as_host = _client(api, alpha.host, host)
    anonymous = _client(api, alpha.host)
    document = _document(anonymous)
    fill = {"property_id": str(listing.id), "id": str(listing.id)}

    sent = 0
    for client in (as_host, anonymous):
        sent += _send_hostile_bodies(client, document, fill, wrong_answers)
        sent += _send_hostile_parameters(client, document, fill, wrong_answers)

    assert not wrong_answers.found, _listed(wrong_answers.found)
    assert sent > 300  # the walk found the endpoints (about 40 take a body)


def test_every_operator_endpoint_refuses_hostile_input_with_a_json_4xx(
    api, marketplaces, db, platform_host, wrong_answers
):
    operator = _client(api, platform_host, UserFactory(is_staff=True))
    document = _document(operator)
    fill = {"slug": "no-such-marketplace"}  # never suspend or delete a real one here

    sent = _send_hostile_bodies(operator, document, fill, wrong_answers)
    sent += _send_hostile_parameters(operator, document, fill, wrong_answers)
    sent += _send_hostile_bodies(_client(api, platform_host), document, fill, wrong_answers)

    assert not wrong_answers.found, _listed(wrong_answers.found)
    assert sent > 50


def test_graphql_refuses_hostile_bodies_with_a_json_4xx(api, alpha):
    client = _client(api, alpha.host)
    found = []
    for body, content_type in [(DEEP, "application/json"), (HUGE, "application/json")] + [
        (payload, kind) for kind, payload in WRONG_TYPES
    ]:
        response = client.post("/graphql/", data=body, content_type=content_type)
        errors = json.loads(response.content).get("errors") if response.content else None
        if not 400 <= response.status_code < 500 or not errors or not errors[0]["message"]:
            found.append((content_type, response.status_code, response.content[:150]))

    assert not found, _listed(found)


STRIPE_REFUND = {"id": "re_1", "object": "refund", "amount": 1000, "currency": "usd",
                 "payment_intent": "pi_1", "status": "succeeded", "metadata": {}}  # fmt: skip
PAYSTACK_CHARGE = {"id": 1, "reference": "ref_1", "amount": 10000, "currency": "USD",
                   "status": "success", "metadata": {}}  # fmt: skip


def test_signed_webhooks_of_the_wrong_shape_are_a_json_400_for_both_providers(
    api, alpha, bravo, wrong_answers
):
    from tenant_apps.payments.services import payment_settings_update
    from tenant_apps.payments.tests.fakes import (
        paystack_event,
        paystack_signature,
        stripe_event,
        stripe_signature,
    )

    stripe_secret, paystack_key = "whsec_" + "a" * 24, "sk_test_" + "b" * 40
    with tenant_context(alpha.tenant):
        payment_settings_update(
            provider="stripe", secret_key="sk_test_" + "a" * 24,
            publishable_key="pk_test_" + "a" * 24, webhook_secret=stripe_secret,
        )  # fmt: skip
    with tenant_context(bravo.tenant):
        payment_settings_update(
            provider="paystack", secret_key=paystack_key,
            publishable_key="pk_test_" + "b" * 40, currency="USD",
        )  # fmt: skip
    stripe_cases = [
        ("payment_intent.succeeded", [{"id": "pi_1"}]),
        ("refund.updated", [STRIPE_REFUND]),
        ("refund.updated", {**STRIPE_REFUND, "amount": "ten dollars"}),
        ("refund.updated", {**STRIPE_REFUND, "amount": None}),
    ]
    paystack_cases = [
        ("charge.success", [PAYSTACK_CHARGE]),
        ("refund.processed", ["ref_1"]),
        ("refund.processed", {"transaction_reference": "ref_1", "amount": "all"}),
        ("refund.processed", {"transaction_reference": "ref_1", "amount": [1]}),
        ("refund.processed", {"transaction_reference": "ref_1", "amount": "1e999"}),
        ("refund.pending", {"transaction_reference": "ref_1", "amount": "NaN"}),
    ]

    stripe = _client(api, alpha.host)
    for kind, obj in stripe_cases:
        payload = stripe_event(kind, obj)
        response = stripe.post(
            "/api/v1/payments/webhooks/stripe", data=payload, content_type="application/json",
            HTTP_STRIPE_SIGNATURE=stripe_signature(payload, stripe_secret),
        )  # fmt: skip
        wrong_answers(response, "stripe", kind, obj)
    paystack = _client(api, bravo.host)
    for kind, data in paystack_cases:
        payload = paystack_event(kind, data)
        response = paystack.post(
            "/api/v1/payments/webhooks/paystack", data=payload, content_type="application/json",
            HTTP_X_PAYSTACK_SIGNATURE=paystack_signature(payload, paystack_key),
        )  # fmt: skip
        wrong_answers(response, "paystack", kind, data)

    assert not wrong_answers.found, _listed(wrong_answers.found)
