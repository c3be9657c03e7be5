"""What the other seams share: the booking lock, provider calls answered as API errors,
capture and release, and moving a payment forward (and, with money arriving, its booking)."""

from __future__ import annotations

from django.utils import timezone

from shared_apps.core.errors import ApplicationError, NotFoundError, UpstreamError
from tenant_apps.bookings.collection import payment_collector
from tenant_apps.bookings.constants import HOLDING_STATUSES, BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.services import booking_confirm_capture, booking_confirm_payment
from tenant_apps.payments import selectors
from tenant_apps.payments.constants import PAYMENT_MOVES, PaymentStatus
from tenant_apps.payments.gateways.base import (
    Gateway,
    GatewayError,
    GatewayUnavailable,
    ProviderPayment,
)
from tenant_apps.payments.locks import LockedBooking, lock_booking_and_payments
from tenant_apps.payments.models import Payment


def _lock(booking_id, **lookup) -> LockedBooking:
    locked = lock_booking_and_payments(booking_id, **lookup)
    if locked is None:
        raise NotFoundError("No booking of yours has this id.")
    return locked


def _api_error(exc: GatewayError) -> ApplicationError:
    """A provider's failure as the API answers it: unreachable is a retryable 503, a refusal
    a 502 with the provider's (safe) message."""
    if isinstance(exc, GatewayUnavailable):
        return UpstreamError(exc.message, code="provider_unavailable")
    return ApplicationError(exc.message, code=exc.code, status=502)


def _provider_call(call, *args):
    """A gateway call; its failures become API errors (nothing was changed here)."""
    try:
        return call(*args)
    except GatewayError as exc:
        raise _api_error(exc) from exc


def _capture(gateway: Gateway, payment: Payment) -> ProviderPayment:
    try:
        return gateway.capture(payment.reference, payment.amount, payment.currency)
    except GatewayUnavailable as exc:
        raise UpstreamError(exc.message, code="provider_unavailable") from exc
    except GatewayError:
        # The authorization lapsed or was refused: what is it now? (The guest pays again.)
        return _provider_call(gateway.retrieve_payment, payment.reference)


def _release(gateway: Gateway, payment: Payment) -> ProviderPayment:
    return _provider_call(gateway.cancel, payment.reference)


def _advance(
    payment: Payment, to: str, failure_message: str = "", *, booking: Booking | None = None
) -> bool:
    """Moves a payment forward; an older or repeated state is ignored (False). Given its
    (locked) booking, money arriving then moves the booking on; an accept, which moves the
    booking itself, gives none."""
    if to == payment.status and to != PaymentStatus.PARTIALLY_REFUNDED:
        return False
    if to not in PAYMENT_MOVES.get(payment.status, set()):
        return False
    payment.status = to
    fields = ["status", "updated"]
    if to == PaymentStatus.SUCCEEDED:
        payment.succeeded_at = timezone.now()
        fields.append("succeeded_at")
    if to == PaymentStatus.FAILED:
        payment.failure_message = failure_message[:300]
        fields.append("failure_message")
    payment.save(update_fields=fields)
    if booking is not None and to in (PaymentStatus.SUCCEEDED, PaymentStatus.REQUIRES_CAPTURE):
        _booking_paid(payment, booking)
    return True


def _booking_paid(payment: Payment, booking: Booking) -> None:
    """Money arrived (or was authorized) for a locked booking: a booking awaiting payment is
    confirmed (an authorization for it is captured at once: its host already said yes), as
    is a request whose captured authorization the provider reports first (its accept was
    lost after the capture); a booking that gave its dates back meanwhile gets the money
    back."""
    held = payment.status == PaymentStatus.REQUIRES_CAPTURE
    if booking.status == BookingStatus.PENDING_PAYMENT and held:
        gateway = selectors.marketplace_gateway()
        if payment.provider == gateway.name:
            result = _capture(gateway, payment)
            _advance(payment, result.status, result.failure_message)
    paid = payment.status == PaymentStatus.SUCCEEDED
    if booking.status == BookingStatus.PENDING_PAYMENT and paid:
        booking_confirm_payment(booking=booking)
    elif booking.status == BookingStatus.REQUESTED and paid and payment.capture_manually:
        booking_confirm_capture(booking=booking)
    elif booking.status not in (*HOLDING_STATUSES, BookingStatus.COMPLETED):
        # Through the one entry point for "a released booking settles" (collection.py).
        payment_collector().settle_released(booking=booking)
