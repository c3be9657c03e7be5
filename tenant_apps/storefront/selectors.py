"""Reads of the storefront's own profile, and reads composed for the host pages from the
apps' own selectors (the storefront sits on top of every app, so a read that needs two of
them lives here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet

from shared_apps.accounts.models import User
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.pricing import booking_policy
from tenant_apps.bookings.selectors import bookings_of_host
from tenant_apps.listings.models import Amenity, AvailabilityBlock, Property
from tenant_apps.listings.selectors import properties_of_host, property_calendar
from tenant_apps.payments.selectors import payout_totals, payouts_of_host
from tenant_apps.storefront.models import StorefrontProfile


def storefront_profile() -> StorefrontProfile:
    """The marketplace's profile; an empty one (not saved) until an admin writes it."""
    return StorefrontProfile.objects.first() or StorefrontProfile()


UPCOMING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT)


@dataclass(frozen=True)
class PendingRequest:
    booking: Booking
    expires_at: datetime


def host_requests(*, host: User) -> list[PendingRequest]:
    """Requests waiting for the host's answer, soonest to expire first, each with the
    moment it expires (the periodic expiry task's cutoff: created + the policy's hours)."""
    window = timedelta(hours=booking_policy().request_expiry_hours)
    requests = bookings_of_host(host=host).filter(status=BookingStatus.REQUESTED)
    return [
        PendingRequest(booking, booking.created + window)
        for booking in requests.order_by("created")
    ]


def host_upcoming_stays(*, host: User, today: date) -> QuerySet[Booking]:
    """Accepted stays that haven't ended, the next arrival first."""
    return (
        bookings_of_host(host=host)
        .filter(status__in=UPCOMING_STATUSES, check_out__gt=today)
        .order_by("check_in")
    )


def host_earnings(*, host: User) -> dict:
    stays = payouts_of_host(host=host).order_by("-check_out")
    return {"stays": stays, "totals": payout_totals(stays)}


@dataclass(frozen=True)
class CalendarMonth:
    first: date
    weeks: list[list[dict | None]]
    bookings: QuerySet[Booking]
    blocks: QuerySet
    previous: date
    following: date


def host_calendar(*, host: User, property: Property, year: int, month: int) -> CalendarMonth:
    """A month of one listing as weeks (Monday first, None outside the month), with the
    bookings that touch it."""
    days = property_calendar(property=property, year=year, month=month)
    first = days[0]["date"]
    weeks: list[list[dict | None]] = []
    week: list[dict | None] = [None] * first.weekday()
    for day in days:
        week.append(day)
        if len(week) == 7:
            weeks.append(week)
            week = []
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    after = days[-1]["date"] + timedelta(days=1)
    bookings = (
        bookings_of_host(host=host)
        .filter(property=property, check_in__lt=after, check_out__gt=first)
        .exclude(status__in=(BookingStatus.DECLINED, BookingStatus.EXPIRED))
        .order_by("check_in")
    )
    blocks = property.blocks.filter(start__lt=after, end__gt=first).order_by("start")
    previous = (first - timedelta(days=1)).replace(day=1)
    return CalendarMonth(first, weeks, bookings, blocks, previous, after)


def host_listing(*, host: User, property_id) -> Property | None:
    """One listing of `host` with its photos and amenities; anyone else's looks missing."""
    return properties_of_host(host=host).filter(pk=property_id).first()


def host_block(*, host: User, property_id, block_id) -> AvailabilityBlock | None:
    """A block on one of `host`'s listings; anyone else's looks missing."""
    return (
        AvailabilityBlock.objects.select_related("property")
        .filter(pk=block_id, property_id=property_id, property__host=host)
        .first()
    )


def amenity_choices() -> QuerySet[Amenity]:
    return Amenity.objects.order_by("name")
