"""Payments' side of bookings' `PaymentCollector` protocol (registered in apps.py)."""

from __future__ import annotations

from shared_apps.core.outbox import publish_after_commit
from tenant_apps.bookings.models import Booking
from tenant_apps.payments import services
from tenant_apps.payments.tasks import settle_booking


class ProviderCollector:
    """Collects through the marketplace's own provider (or offline)."""

    def collect_for_accept(self, *, booking: Booking) -> bool:
        return services.payment_collect_for_accept(booking=booking)

    def settle_released(self, *, booking: Booking) -> None:
        """Once the transaction commits, the marketplace's queue gives back what is held for
        the booking (retried while the provider is down)."""
        if not booking.payments.exists():
            return
        publish_after_commit(settle_booking, booking_id=str(booking.pk))
