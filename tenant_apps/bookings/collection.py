"""What bookings needs from whoever collects the money, without knowing who that is.

Bookings sits below payments in the layers (docs/architecture.md), so it never imports
payments. Payments registers a `PaymentCollector` here from its AppConfig.ready(), and the
booking services call it at the two moments money matters: the host accepts a request
(collect), and a booking gives its dates back (settle). With nothing registered, there is
nothing to collect: an accepted request waits for payment and nothing is paid back."""

from __future__ import annotations

from typing import Protocol

from tenant_apps.bookings.models import Booking


class PaymentCollector(Protocol):
    def collect_for_accept(self, *, booking: Booking) -> bool:
        """Inside the accept's transaction, with the booking locked: collects what the guest
        authorized. True when the stay is paid for (or payment is taken on arrival), so the
        accept confirms it; False when it must wait for the guest's payment. Raising an
        ApplicationError (e.g. a retryable 503) makes the accept change nothing."""
        ...

    def settle_released(self, *, booking: Booking) -> None:
        """Inside the transaction in which the locked booking gave its dates back (declined,
        expired, cancelled): arranges for money held for it to go back to the guest once that
        transaction commits."""
        ...


class NothingToCollect:
    def collect_for_accept(self, *, booking: Booking) -> bool:
        return False

    def settle_released(self, *, booking: Booking) -> None:
        return None


_collector: list[PaymentCollector] = [NothingToCollect()]


def register_payment_collector(collector: PaymentCollector) -> None:
    """Called once at start-up by the app that collects payments."""
    _collector[0] = collector


def payment_collector() -> PaymentCollector:
    return _collector[0]
