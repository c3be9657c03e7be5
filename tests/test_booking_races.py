"""No double booking under real concurrency: simultaneous requests from separate threads,
each with its own database connection and committed transactions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.tests.factories import member_factory
from tenant_apps.bookings.models import Booking
from tenant_apps.listings.models import Property
from tenant_apps.listings.tests.factories import listing_factory
from tests.support.concurrency import in_thread, run_together
from tests.support.days import day

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def committed_listing(marketplaces):
    """A listing and 20 guests committed for real (threads can't see a test transaction)."""
    alpha = marketplaces["alpha"]

    def make():
        host = member_factory(alpha.tenant, Role.HOST).user
        guests = [member_factory(alpha.tenant).user for _ in range(20)]
        return listing_factory(alpha.tenant, host, nightly_price=Decimal("80")), guests

    listing, guests = in_thread(make)
    yield alpha, listing, guests

    def clean():
        with tenant_context(alpha.tenant):
            Booking.objects.filter(property=listing).delete()
            Property.objects.filter(pk=listing.pk).delete()
        User.objects.filter(pk__in=[g.pk for g in guests] + [listing.host_id]).delete()

    in_thread(clean)


def _post(api, alpha, user, listing, start, nights):
    def call():
        client = api(alpha.host, user)
        client.raise_request_exception = False
        body = {
            "property_id": str(listing.id), "check_in": day(start),
            "check_out": day(start + nights), "guests": 1,
        }  # fmt: skip
        return client.post("/api/v1/bookings", body).status_code

    return call


def test_twenty_simultaneous_requests_for_overlapping_dates_one_wins(api, committed_listing):
    alpha, listing, guests = committed_listing
    calls = [_post(api, alpha, guest, listing, 20 + n % 3, 4) for n, guest in enumerate(guests)]

    statuses = run_together(calls)

    assert sorted(statuses) == [201] + [409] * 19
    with tenant_context(alpha.tenant):
        assert Booking.objects.filter(property=listing).count() == 1


def test_simultaneous_back_to_back_stays_both_succeed(api, committed_listing):
    alpha, listing, guests = committed_listing

    statuses = run_together(
        [_post(api, alpha, guests[0], listing, 30, 3), _post(api, alpha, guests[1], listing, 33, 3)]
    )

    assert statuses == [201, 201]
