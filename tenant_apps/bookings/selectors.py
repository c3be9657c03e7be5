from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from shared_apps.accounts.models import User
from shared_apps.core.errors import NotFoundError
from tenant_apps.bookings.constants import HOLDING_STATUSES, BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.listings.models import AvailabilityBlock, Property


def holding_dates(check_in, check_out) -> Q:
    """Bookings that hold any night of [check_in, check_out). Stays are half-open, so one
    leaving the day another arrives doesn't overlap it."""
    return Q(status__in=HOLDING_STATUSES, check_in__lt=check_out, check_out__gt=check_in)


def dates_taken(*, property: Property, check_in: date, check_out: date) -> tuple[bool, bool]:
    """(a host block overlaps the stay, a booking holds some of its nights), in one query:
    it runs under the listing's lock on the booking path, where every round trip counts."""
    blocks = AvailabilityBlock.objects.filter(
        property=OuterRef("pk"), start__lt=check_out, end__gt=check_in
    )
    held = Booking.objects.filter(holding_dates(check_in, check_out), property=OuterRef("pk"))
    return Property.objects.filter(pk=property.pk).values_list(Exists(blocks), Exists(held)).get()


def listing_held_between(check_in: date, check_out: date) -> Exists:
    """For a queryset of listings: a stay holds a night of [check_in, check_out)."""
    return Exists(
        Booking.objects.filter(holding_dates(check_in, check_out), property=OuterRef("pk"))
    )


def stays_holding(*, property: Property, start: date, end: date) -> list[tuple[date, date]]:
    """(check_in, check_out) of the listing's stays holding nights of [start, end)."""
    return list(
        Booking.objects.filter(holding_dates(start, end), property=property).values_list(
            "check_in", "check_out"
        )
    )


def confirmed_stay_overlapping(
    *, property: Property, start: date, end: date
) -> tuple[date, date] | None:
    return (
        Booking.objects.filter(
            property=property, status=BookingStatus.CONFIRMED, check_in__lt=end, check_out__gt=start
        )
        .values_list("check_in", "check_out")
        .first()
    )


class BookedStays:
    """Bookings' answers to listings' `StayReader` (registered in apps.py)."""

    def held_between(self, check_in: date, check_out: date) -> Exists:
        return listing_held_between(check_in, check_out)

    def held_ranges(self, *, property: Property, start: date, end: date) -> list[tuple]:
        return stays_holding(property=property, start=start, end=end)

    def confirmed_stay(self, *, property: Property, start: date, end: date) -> tuple | None:
        return confirmed_stay_overlapping(property=property, start=start, end=end)


def _shaped(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    return bookings.select_related("property", "guest", "property__host")


def bookings_of_guest(*, guest: User) -> QuerySet[Booking]:
    return _shaped(Booking.objects.filter(guest=guest))


def bookings_of_host(*, host: User) -> QuerySet[Booking]:
    return _shaped(Booking.objects.filter(property__host=host))


def booking_for_party(*, booking_id, user: User) -> Booking | None:
    """A booking its guest or its host may see; to anyone else it doesn't exist (404)."""
    return (
        _shaped(Booking.objects.filter(Q(guest=user) | Q(property__host=user)))
        .filter(pk=booking_id)
        .first()
    )


def party_booking(*, booking_id, user: User) -> Booking:
    """`booking_for_party`, or the 404 every API answers for someone else's booking."""
    booking = booking_for_party(booking_id=booking_id, user=user)
    if booking is None:
        raise NotFoundError("No booking of yours has this id.")
    return booking


def filter_bookings(bookings: QuerySet[Booking], **filters) -> QuerySet[Booking]:
    """By status, and by stays overlapping [from, to) when dates are given."""
    if "status" in filters:
        bookings = bookings.filter(status=filters["status"])
    if "from" in filters:
        bookings = bookings.filter(check_out__gt=filters["from"])
    if "to" in filters:
        bookings = bookings.filter(check_in__lt=filters["to"])
    return bookings


def booking_timeline(*, booking: Booking) -> QuerySet:
    """The booking's state changes, oldest first, with who made them."""
    return booking.transitions.select_related("actor").order_by("created", "id")
