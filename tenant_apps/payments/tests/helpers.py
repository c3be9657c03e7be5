"""Helpers for payments tests: keys for a marketplace, booking, signed webhook delivery."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenant_apps.bookings.tests.factories import booking_factory
from tenant_apps.payments import services
from tenant_apps.payments.tests.fakes import paystack_signature, stripe_event, stripe_signature


def use_stripe(market, fake_stripe) -> dict:
    """Gives `market` its own Stripe account and returns the keys."""
    keys = fake_stripe.open_account()
    with tenant_context(market.tenant):
        services.payment_settings_update(provider="stripe", **keys)
    return keys


def use_paystack(market, fake_paystack) -> dict:
    keys = fake_paystack.open_account()
    with tenant_context(market.tenant):
        services.payment_settings_update(provider="paystack", **keys)
    return keys


def book(market, listing, guest, *, start: int = 30, nights: int = 2):
    return booking_factory(market.tenant, guest, listing, start=start, nights=nights)


def paid_booking(market, api, guest, listing, keys, fake_stripe, *, start_in: int):
    """A booking the guest paid by card on Stripe: started through the API, then the
    provider's success event delivered. Returns it and the PaymentIntent's id."""
    booking = book(market, listing, guest, start=start_in)
    started = api(market.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments")
    assert started.status_code == 201, started.json()
    intent_id = started.json()["payment"]["reference"]
    intent = fake_stripe.confirm(keys["secret_key"], intent_id)
    post_stripe_event(
        api(market.host), stripe_event("payment_intent.succeeded", intent), keys["webhook_secret"]
    )
    return booking, intent_id


def post_stripe_event(client, payload: bytes, secret: str, **signature):
    return client.post(
        "/api/v1/payments/webhooks/stripe",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(payload, secret, **signature),
    )


def post_paystack_event(client, payload: bytes, secret_key: str):
    return client.post(
        "/api/v1/payments/webhooks/paystack",
        data=payload,
        content_type="application/json",
        HTTP_X_PAYSTACK_SIGNATURE=paystack_signature(payload, secret_key),
    )
