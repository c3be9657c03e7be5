"""Bookings for tests, made through the booking services as a guest and a host would."""

from __future__ import annotations

from datetime import timedelta

from django_tenants.utils import tenant_context

from shared_apps.accounts.models import User
from shared_apps.tenants.models import Tenant
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.models import Booking
from tenant_apps.listings.models import Property
from tests.support.days import day


def booking_factory(
    tenant: Tenant, guest: User, listing: Property, *, start: int = 30, nights: int = 2,
    guests: int = 1,
) -> Booking:  # fmt: skip
    """A booking `start` days ahead for `nights` nights, as the guest asks for it."""
    with tenant_context(tenant):
        return bookings.booking_create(
            property_id=listing.pk, guest=guest, check_in=day(start),
            check_out=day(start + nights), guests=guests,
        )  # fmt: skip


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
            property=listing, check_in__lt=day(offset + nights), check_out__gt=day(offset)
        ).exists():
            offset += nights
        booking = bookings.booking_create(
            property_id=listing.pk, guest=guest, check_in=day(offset),
            check_out=day(offset + nights), guests=1,
        )  # fmt: skip
        if booking.status == "requested":
            booking = bookings.booking_accept(booking=booking, actor=listing.host)
        if booking.status == "pending_payment":  # instant book, or a provider account
            booking = bookings.booking_confirm_payment(booking=booking)
        if complete:
            booking = bookings.booking_complete(booking=booking)
        check_out = day(-ended_days_ago)
        Booking.objects.filter(pk=booking.pk).update(
            check_in=check_out - timedelta(days=nights), check_out=check_out
        )
        booking.refresh_from_db()
        return booking
