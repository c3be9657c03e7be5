"""The demo guest's trips: upcoming, past with a review, cancelled, on each marketplace."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.bookings.selectors import bookings_of_guest
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.reviews.selectors import review_of_booking
from tenant_apps.storefront.demo_trips import seed_guest_trips
from tenant_apps.storefront.tests.helpers import signed_in

pytestmark = pytest.mark.django_db


def test_the_demo_guest_gets_an_upcoming_a_reviewed_past_and_a_cancelled_trip(
    alpha, bravo, host, guest
):
    for n in range(3):
        listing_factory(alpha.tenant, host, instant_book=n % 2 == 0, title=f"Demo {n}")

    seed_guest_trips(alpha.tenant, guest)
    seed_guest_trips(alpha.tenant, guest)  # re-running adds nothing

    with tenant_context(alpha.tenant):
        trips = {b.status: b for b in bookings_of_guest(guest=guest)}
        review = review_of_booking(booking=trips["completed"])
    with tenant_context(bravo.tenant):
        assert not bookings_of_guest(guest=guest).exists()
    assert sorted(trips) == ["cancelled", "completed", "confirmed"]
    assert review.rating == 5
    html = signed_in(alpha, guest).get("/trips/").content.decode()
    assert html.count('class="trip-row"') == 3
