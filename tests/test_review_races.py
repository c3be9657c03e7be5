"""The listing's rating stays right under real concurrency: simultaneous reviews from
separate threads, each with its own connection and committed transactions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.tests.factories import member_factory
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.tests.factories import stay_factory
from tenant_apps.listings.models import Property
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.reviews.models import Review
from tests.support.concurrency import in_thread, run_together

pytestmark = pytest.mark.django_db(transaction=False)
RATINGS = [5, 4, 4, 3, 2]  # one guest each; the last guest has two stays


@pytest.fixture
def committed_stays(marketplaces):
    """A listing, a guest with a completed stay per rating, and a second stay of the last
    guest, committed for real (threads can't see a test transaction)."""
    alpha = marketplaces["alpha"]

    def make():
        host = member_factory(alpha.tenant, Role.HOST).user
        listing = listing_factory(alpha.tenant, host)
        guests = [member_factory(alpha.tenant).user for _ in RATINGS]
        stays = [stay_factory(alpha.tenant, guest, listing) for guest in guests]
        return listing, stays, stay_factory(alpha.tenant, guests[-1], listing)

    listing, stays, second_stay = in_thread(make)
    yield alpha, listing, stays, second_stay

    def clean():
        with tenant_context(alpha.tenant):
            Review.objects.filter(property=listing).delete()
            Booking.objects.filter(property=listing).delete()
            Property.objects.filter(pk=listing.pk).delete()
        User.objects.filter(pk__in=[s.guest_id for s in stays] + [listing.host_id]).delete()

    in_thread(clean)


def _review(api, alpha, booking, rating):
    def call():
        client = api(alpha.host, booking.guest)
        client.raise_request_exception = False
        body = {"rating": rating, "comment": "Reviewed at the same moment as others."}
        return client.post(f"/api/v1/bookings/{booking.id}/review", body).status_code

    return call


def test_simultaneous_reviews_all_count_and_a_guest_reviews_a_listing_once(api, committed_stays):
    alpha, listing, stays, second_stay = committed_stays
    calls = [_review(api, alpha, stay, rating) for stay, rating in zip(stays, RATINGS, strict=True)]
    # The last guest reviews both stays at the same moment, with the same rating.
    calls.append(_review(api, alpha, second_stay, RATINGS[-1]))

    statuses = run_together(calls)

    assert sorted(statuses) == [201] * len(RATINGS) + [409]
    with tenant_context(alpha.tenant):
        prop = Property.objects.get(pk=listing.pk)
        assert Review.objects.filter(property=listing).count() == len(RATINGS)
    mean = (Decimal(sum(RATINGS)) / len(RATINGS)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert (prop.rating_average, prop.rating_count) == (mean, len(RATINGS))
