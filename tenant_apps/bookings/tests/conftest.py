"""Bookings' own tests run on marketplaces that take payment on arrival, so a host's accept
confirms a request as it would with an authorized card. How payment gates confirmation is
tested with the payments (tenant_apps/payments/tests)."""

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.bookings.models import BookingPolicy
from tenant_apps.bookings.pricing import booking_policy


@pytest.fixture(autouse=True)
def _payment_on_arrival(alpha, bravo):
    for market in (alpha, bravo):
        with tenant_context(market.tenant):
            BookingPolicy.objects.filter(pk=booking_policy().pk).update(
                collect_payment_on_arrival=True
            )
