"""Stays for the demo data (demo.py, demo_hosting.py), made through the booking and payment
services the pages use: booked, accepted if it was a request, paid offline as the
marketplace's admin marks it, and, for stays that already happened, completed and moved
into the past."""

from __future__ import annotations

from datetime import timedelta

from shared_apps.accounts.models import User
from shared_apps.core.tenancy import marketplace_today


def book(listing, guest: User, *, start_in_days: int, nights: int, guests: int = 1):
    from tenant_apps.bookings.services import booking_create

    today = marketplace_today()
    nights = max(nights, listing.min_nights)
    return booking_create(
        property_id=listing.pk, guest=guest, check_in=today + timedelta(days=start_in_days),
        check_out=today + timedelta(days=start_in_days + nights), guests=guests,
    )  # fmt: skip


def accepted(booking):
    """The host's yes, if it was a request (on an offline marketplace the stay then waits
    for the guest's transfer)."""
    from tenant_apps.bookings.services import booking_accept

    if booking.status == "requested":
        return booking_accept(booking=booking, actor=booking.property.host)
    return booking


def paid(booking):
    """Accepted, then paid by bank transfer (the admin marks it), which confirms it."""
    from tenant_apps.bookings.models import Booking
    from tenant_apps.payments.services import payment_mark_paid

    booking = accepted(booking)
    if booking.status == "pending_payment":
        # The transfer's reference, unique per provider like a bank's.
        reference = f"DEMO-{booking.pk.hex[:10].upper()}"
        payment_mark_paid(booking_id=booking.pk, method="bank_transfer", reference=reference)
    return Booking.objects.get(pk=booking.pk)


def into_the_past(booking, *, ended_days_ago: int):
    """A stay that happened: booked ahead (the only way the services allow), completed as
    the periodic task would, then its dates moved back, as the demo can't wait for time to
    pass."""
    from tenant_apps.bookings.models import Booking
    from tenant_apps.bookings.services import booking_complete

    booking = booking_complete(booking=booking)
    nights = (booking.check_out - booking.check_in).days
    check_out = marketplace_today() - timedelta(days=ended_days_ago)
    Booking.objects.filter(pk=booking.pk).update(
        check_in=check_out - timedelta(days=nights), check_out=check_out
    )
    booking.refresh_from_db()
    return booking
