"""Row locks on bookings: the first step of the one lock order.

Every path that changes a booking or its money (API, GraphQL, webhooks, tasks, admin) locks
the booking first and only then its payments (ordered by primary key, see
tenant_apps/payments/locks.py) and their refunds. Two transactions taking locks in the same
order wait for each other instead of deadlocking."""

from __future__ import annotations

from tenant_apps.bookings.models import Booking


def lock_booking(booking_id, **lookup) -> Booking | None:
    """The booking (with its property, unlocked), locked until the transaction ends; None
    when no booking matches. Call inside `transaction.atomic`."""
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("property")
        .filter(pk=booking_id, **lookup)
        .first()
    )
