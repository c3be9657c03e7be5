from __future__ import annotations

from django.db.models import Q, QuerySet

from shared_apps.accounts.models import User
from shared_apps.core.errors import NotFoundError
from tenant_apps.bookings.constants import HOLDING_STATUSES
from tenant_apps.bookings.models import Booking


def holding_dates(check_in, check_out) -> Q:
    """Bookings that hold any night of [check_in, check_out). Stays are half-open, so one
    leaving the day another arrives doesn't overlap it."""
    return Q(status__in=HOLDING_STATUSES, check_in__lt=check_out, check_out__gt=check_in)


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
