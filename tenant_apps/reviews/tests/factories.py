from __future__ import annotations

from datetime import date, timedelta

from django_tenants.utils import tenant_context

from shared_apps.accounts.models import User
from shared_apps.tenants.models import Tenant
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import Booking
from tenant_apps.listings.models import Property
from tenant_apps.reviews import services
from tenant_apps.reviews.models import Review


def _day(days: int) -> date:
    return date.today() + timedelta(days=days)  # noqa: DTZ011


def stay_factory(
    tenant: Tenant,
    guest: User,
    listing: Property,
    *,
    ended_days_ago: int = 1,
    nights: int = 2,
    complete: bool = True,
) -> Booking:
    """A stay booked, accepted and (unless told not to) completed through the booking
    services, then moved back in time so it ended `ended_days_ago` days ago (bookings can
    only be made for the future; this is time passing, not a shortcut around a rule)."""
    with tenant_context(tenant):
        offset = 300  # far ahead of the stays tests book themselves, inside the window
        while Booking.objects.filter(
            property=listing, check_in__lt=_day(offset + nights), check_out__gt=_day(offset)
        ).exists():
            offset += nights
        booking = bookings.booking_create(
            property_id=listing.pk, guest=guest, check_in=_day(offset),
            check_out=_day(offset + nights), guests=1,
        )  # fmt: skip
        if booking.status == "requested":
            booking = bookings.booking_accept(booking=booking, actor=listing.host)
        if booking.status == "pending_payment":  # instant book, or a provider account
            booking = bookings.booking_confirm_payment(booking=booking)
        if complete:
            booking = bookings.booking_complete(booking=booking)
        check_out = _day(-ended_days_ago)
        Booking.objects.filter(pk=booking.pk).update(
            check_in=check_out - timedelta(days=nights), check_out=check_out
        )
        booking.refresh_from_db()
        return booking


def review_factory(tenant: Tenant, booking: Booking, *, rating: int = 5, **fields) -> Review:
    with tenant_context(tenant):
        return services.review_create(
            booking=booking, author=booking.guest, rating=rating,
            comment=fields.pop("comment", "A lovely stay, spotless and quiet."), **fields,
        )  # fmt: skip
