"""The one lock order for money: a booking, then its payments ordered by primary key, then
(where needed) a refund. Every path that changes a payment (the guest paying, the host
accepting, an admin marking paid, provider webhooks, refund tasks, the admin site) takes its
locks through `lock_booking_and_payments`, so two of them wait for each other instead of
deadlocking."""

from __future__ import annotations

from dataclasses import dataclass

from tenant_apps.bookings.locks import lock_booking
from tenant_apps.bookings.models import Booking
from tenant_apps.payments.models import Payment


@dataclass
class LockedBooking:
    booking: Booking
    payments: list[Payment]  # by primary key


def lock_booking_and_payments(booking_id, **lookup) -> LockedBooking | None:
    """Locks the booking, then every payment of it in primary-key order; None when no
    booking matches. Locking again in the same transaction is harmless."""
    booking = lock_booking(booking_id, **lookup)
    if booking is None:
        return None
    payments = list(
        Payment.objects.select_for_update().filter(booking_id=booking.pk).order_by("pk")
    )
    return LockedBooking(booking=booking, payments=payments)
