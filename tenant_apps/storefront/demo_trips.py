"""Demo trips for the demo guest on each demo marketplace: one upcoming (paid), one past with
a review, one cancelled. Made through the booking, payment and review services; re-running
adds nothing once the guest has trips there."""

from __future__ import annotations

from datetime import timedelta

from django_tenants.utils import tenant_context

from shared_apps.core.tenancy import marketplace_today
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.selectors import bookings_of_guest
from tenant_apps.listings.models import Property
from tenant_apps.listings.selectors import visible_properties
from tenant_apps.payments.services import payment_mark_paid
from tenant_apps.reviews.services import review_create

REVIEW = "Spotless, warm and exactly as pictured. The host's tips made our stay."


def _book(prop: Property, guest, start: int, nights: int) -> Booking:
    today = marketplace_today()
    return bookings.booking_create(
        property_id=prop.pk, guest=guest, check_in=today + timedelta(days=start),
        check_out=today + timedelta(days=start + nights), guests=2,
    )  # fmt: skip


def _confirmed(prop: Property, guest, start: int, nights: int) -> Booking:
    booking = _book(prop, guest, start, nights)
    if booking.status == "requested":
        booking = bookings.booking_accept(booking=booking, actor=prop.host)
    payment_mark_paid(booking_id=booking.pk, method="bank_transfer")  # the offline admin
    return Booking.objects.get(pk=booking.pk)


def _past_stay_with_review(prop: Property, guest) -> None:
    """A stay booked for the future, then moved back to last week: bookings can only be
    made ahead, so the demo lets time pass (as the reviews tests do) before completing it."""
    booking = _confirmed(prop, guest, start=200, nights=3)
    booking = bookings.booking_complete(booking=booking)
    check_out = marketplace_today() - timedelta(days=3)  # inside the review window
    Booking.objects.filter(pk=booking.pk).update(
        check_in=check_out - timedelta(days=3), check_out=check_out
    )
    booking.refresh_from_db()
    review_create(booking=booking, author=guest, rating=5, comment=REVIEW, cleanliness=5)


def seed_guest_trips(tenant, guest) -> None:
    with tenant_context(tenant):
        if bookings_of_guest(guest=guest).exists():
            return
        listings = list(visible_properties(user=None).order_by("created")[:3])
        if len(listings) < 3:
            return
        first, second, third = listings
        _confirmed(first, guest, start=21, nights=4)
        _past_stay_with_review(second, guest)
        cancelled = _book(third, guest, start=45, nights=2)
        bookings.booking_cancel(booking=cancelled, actor=guest, note="plans changed")
