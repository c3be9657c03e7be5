"""Payments fixtures: local fake providers (one server each per session), a marketplace on
Stripe, a host with an instant-book and a request-to-book listing, a guest."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.payments.tests.fakes import (
    FakePaystack,
    FakeStripe,
)
from tenant_apps.payments.tests.helpers import use_stripe


@pytest.fixture(scope="session")
def fake_stripe():
    fake = FakeStripe()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def fake_paystack():
    fake = FakePaystack()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _providers_are_local(settings, fake_stripe, fake_paystack):
    """Every provider call in these tests goes to the local fakes, never the internet."""
    settings.PAYMENTS_STRIPE_API_BASE = fake_stripe.url
    settings.PAYMENTS_PAYSTACK_API_BASE = fake_paystack.url
    settings.PAYMENTS_NETWORK_RETRIES = 0
    yield
    fake_stripe.down = fake_paystack.down = False


@pytest.fixture
def stripe_keys(alpha, fake_stripe) -> dict:
    return use_stripe(alpha, fake_stripe)


@pytest.fixture
def instant(alpha, host):
    return listing_factory(
        alpha.tenant, host, instant_book=True, nightly_price=Decimal("100"),
        cleaning_fee=Decimal("20"),
    )  # fmt: skip


@pytest.fixture
def on_request(alpha, host):
    return listing_factory(
        alpha.tenant, host, instant_book=False, nightly_price=Decimal("80"),
        cleaning_fee=Decimal("0"),
    )  # fmt: skip
