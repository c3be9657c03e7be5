"""Trips pages: the guest's list, one trip (timeline, payment, cancel with the refund
previewed, review), who may see it; from two marketplaces."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.services import membership_grant
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.tests.factories import stay_factory
from tenant_apps.listings.constants import CancellationPolicy
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.payments.services import payment_mark_paid
from tenant_apps.reviews.selectors import review_of_booking
from tenant_apps.reviews.tests.factories import review_factory
from tenant_apps.storefront.tests.helpers import browser, signed_in
from tests.support.days import day

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(alpha, host):
    return listing_factory(
        alpha.tenant, host, instant_book=True, nightly_price=Decimal("100"),
        cleaning_fee=Decimal("0"), title="Glacier hut",
        cancellation_policy=CancellationPolicy.MODERATE,
    )  # fmt: skip


def _book(market, listing, guest, start=30, nights=2) -> Booking:
    with tenant_context(market.tenant):
        return bookings.booking_create(
            property_id=listing.pk, guest=guest, check_in=day(start),
            check_out=day(start + nights), guests=1,
        )  # fmt: skip


def _paid(market, booking) -> Booking:
    """The offline marketplace's admin records the money (confirms the instant booking)."""
    with tenant_context(market.tenant):
        payment_mark_paid(booking_id=booking.pk, method="bank_transfer")
        return Booking.objects.get(pk=booking.pk)


def test_trips_are_listed_as_upcoming_past_and_cancelled(alpha, guest, listing):
    upcoming = _book(alpha, listing, guest, start=20)
    gone = _book(alpha, listing, guest, start=50)
    with tenant_context(alpha.tenant):
        bookings.booking_cancel(booking=gone, actor=guest)
    stay_factory(alpha.tenant, guest, listing)

    html = signed_in(alpha, guest).get("/trips/").content.decode()

    sections = {
        name: html.split(f'id="{name}-heading"')[1].split("</section>")[0]
        for name in ("upcoming", "past", "cancelled")
    }
    assert f"/trips/{upcoming.pk}/" in sections["upcoming"]
    assert "Completed" in sections["past"]
    assert f"/trips/{gone.pk}/" in sections["cancelled"]
    assert f"/trips/{gone.pk}/" not in sections["upcoming"]


def test_a_trip_shows_its_timeline_and_payment_to_its_guest(alpha, guest, listing):
    booking = _paid(alpha, _book(alpha, listing, guest))

    response = signed_in(alpha, guest).get(f"/trips/{booking.pk}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<title>Trip to Glacier hut · Alpha Mountain Stays</title>" in html
    timeline = html.split('id="timeline-heading"')[1].split("</section>")[0]
    assert timeline.index("Booked") < timeline.index("Confirmed")
    payments = html.split('id="payments-heading"')[1].split("</section>")[0]
    assert "$228.00" in payments  # 2 nights x 100 + 14% service fee
    assert "Succeeded" in payments


def test_only_the_guest_and_the_host_see_a_trip(alpha, bravo, guest, host, make_member, listing):
    booking = _book(alpha, listing, guest)
    stranger = make_member(alpha.tenant, Role.GUEST).user
    path = f"/trips/{booking.pk}/"

    assert signed_in(alpha, host).get(path).status_code == 200
    assert signed_in(alpha, stranger).get(path).status_code == 404
    anonymous = browser(alpha).get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/?next=")
    # the same identity on another marketplace: no such trip there
    membership_grant(user=guest, tenant=bravo.tenant, role=Role.GUEST)
    assert signed_in(bravo, guest).get(path).status_code == 404


def test_a_session_on_one_marketplace_is_not_a_session_on_another(alpha, bravo, guest):
    membership_grant(user=guest, tenant=bravo.tenant, role=Role.GUEST)
    client = signed_in(alpha, guest)

    on_alpha = client.get("/trips/")
    on_bravo = client.get("/trips/", HTTP_HOST=bravo.host)

    assert on_alpha.status_code == 200
    assert on_bravo.status_code == 302
    assert on_bravo["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("days_ahead", "refund"),
    [(30, "$228.00"), (2, "$114.00")],  # moderate: all until 5 days before, then half
)
def test_cancel_previews_the_policys_refund_then_cancels(alpha, guest, listing, days_ahead, refund):
    booking = _paid(alpha, _book(alpha, listing, guest, start=days_ahead))
    client = signed_in(alpha, guest)

    preview = client.get(f"/trips/{booking.pk}/cancel/")
    with tenant_context(alpha.tenant):
        unchanged = Booking.objects.get(pk=booking.pk)
    done = client.post(f"/trips/{booking.pk}/cancel/")

    shown = preview.content.decode().split("You get back")[1].split("</dd>")[0]
    assert refund in shown
    assert unchanged.status == BookingStatus.CONFIRMED
    assert done.status_code == 302
    with tenant_context(alpha.tenant):
        cancelled = Booking.objects.get(pk=booking.pk)
    assert cancelled.status == BookingStatus.CANCELLED
    assert f"{cancelled.refund_amount:.2f}" == refund.lstrip("$")


def test_an_unpaid_booking_previews_nothing_to_refund(alpha, guest, listing):
    booking = _book(alpha, listing, guest)

    preview = signed_in(alpha, guest).get(f"/trips/{booking.pk}/cancel/").content.decode()

    assert "$0.00" in preview.split("You get back")[1].split("</dd>")[0]


def test_a_finished_trip_cant_be_cancelled_and_says_so(alpha, guest, listing):
    stay = stay_factory(alpha.tenant, guest, listing)
    client = signed_in(alpha, guest)

    preview = client.get(f"/trips/{stay.pk}/cancel/")
    post = client.post(f"/trips/{stay.pk}/cancel/")
    page = client.get(f"/trips/{stay.pk}/").content.decode()

    assert preview.status_code == post.status_code == 302
    assert "Cancel this trip" not in page
    assert "This trip can no longer be cancelled." in page
    with tenant_context(alpha.tenant):
        assert Booking.objects.get(pk=stay.pk).status == BookingStatus.COMPLETED


def test_a_completed_stay_gets_the_review_form_and_the_review(alpha, guest, listing):
    stay = stay_factory(alpha.tenant, guest, listing)
    client = signed_in(alpha, guest)

    form = client.get(f"/trips/{stay.pk}/").content.decode()
    too_short = client.post(f"/trips/{stay.pk}/review/", {"rating": "5", "comment": "ok"})
    posted = client.post(
        f"/trips/{stay.pk}/review/",
        {"rating": "4", "cleanliness": "5", "comment": "Warm hut, great views at dawn."},
    )
    after = client.get(f"/trips/{stay.pk}/").content.decode()

    assert 'id="review-heading">Review your stay' in form
    assert too_short.status_code == 400
    assert "at least 10 characters" in too_short.content.decode()
    assert posted.status_code == 302
    with tenant_context(alpha.tenant):
        review = review_of_booking(booking=stay)
    assert (review.rating, review.cleanliness) == (4, 5)
    assert "Warm hut, great views at dawn." in after
    assert "Post review" not in after


def test_an_upcoming_trip_has_no_review_form_and_a_review_is_refused(alpha, guest, listing):
    booking = _paid(alpha, _book(alpha, listing, guest))
    client = signed_in(alpha, guest)

    page = client.get(f"/trips/{booking.pk}/").content.decode()
    refused = client.post(
        f"/trips/{booking.pk}/review/", {"rating": "5", "comment": "Looking forward to it!"}
    )

    assert "Post review" not in page
    assert refused.status_code == 400
    assert "once it is completed" in refused.content.decode()


def test_the_host_sees_the_guests_review_not_a_form(alpha, guest, host, listing):
    stay = stay_factory(alpha.tenant, guest, listing)
    review_factory(alpha.tenant, stay, comment="Spotless and very quiet indeed.")

    page = signed_in(alpha, host).get(f"/trips/{stay.pk}/").content.decode()

    assert "Spotless and very quiet indeed." in page
    assert "Post review" not in page
