"""Helpers for payments tests: keys for a marketplace, booking, signed webhook delivery."""

from __future__ import annotations

from datetime import date, timedelta

from django_tenants.utils import tenant_context

from tenant_apps.bookings import services as bookings
from tenant_apps.payments import services
from tenant_apps.payments.tests.fakes import paystack_signature, stripe_signature


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


def day(days: int) -> date:
    return date.today() + timedelta(days=days)  # noqa: DTZ011


def book(market, listing, guest, *, start: int = 30, nights: int = 2):
    with tenant_context(market.tenant):
        return bookings.booking_create(
            property_id=listing.pk, guest=guest, check_in=day(start),
            check_out=day(start + nights), guests=1,
        )  # fmt: skip


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
