"""Giving money back: settling a booking that no longer holds its dates (authorizations
released, captured money refunded as far as the policy allows), sending a planned refund to
the provider, and an offline marketplace marking one paid."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from shared_apps.core.errors import ConflictError
from tenant_apps.bookings.constants import HOLDING_STATUSES, BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.payments import selectors
from tenant_apps.payments.constants import (
    CAPTURED_STATUSES,
    OPEN_STATUSES,
    PaymentStatus,
    RefundStatus,
)
from tenant_apps.payments.gateways.base import Gateway, GatewayError, GatewayUnavailable
from tenant_apps.payments.models import Payment, Refund
from tenant_apps.payments.services.state import _advance, _lock, _provider_call

logger = logging.getLogger(__name__)


def booking_settle(*, booking_id) -> int:
    """A booking that no longer holds its dates (declined, expired, cancelled) gives the
    guest's money back: authorizations are released, captured money refunded up to what the
    policy allows. Safe to run any number of times; returns the refunds sent."""
    with transaction.atomic():
        locked = _lock(booking_id)
        booking = locked.booking
        if booking.status in (*HOLDING_STATUSES, BookingStatus.COMPLETED):
            return 0
        gateway = selectors.marketplace_gateway()
        for payment in locked.payments:
            releasable = (PaymentStatus.REQUIRES_CAPTURE, *OPEN_STATUSES)
            if payment.status in releasable and payment.provider == gateway.name:
                result = _provider_call(gateway.cancel, payment.reference)
                _advance(payment, result.status, result.failure_message)
        _plan_refunds(booking, locked.payments)
    sent = 0
    pending = Refund.objects.filter(
        payment__booking_id=booking_id, status=RefundStatus.PENDING, reference=""
    )
    for refund_id in pending.values_list("pk", flat=True):
        sent += refund_send(refund_id=refund_id, gateway=gateway)
    return sent


def _plan_refunds(booking: Booking, payments: list[Payment]) -> None:
    """Refund rows for what is still owed back: the policy's amount for a cancellation,
    everything for a declined or expired booking (or a payment that arrived too late)."""
    captured = [p for p in payments if p.status in CAPTURED_STATUSES]
    kept = sum((p.amount for p in captured), Decimal(0))
    owed = kept if booking.refund_amount is None else min(booking.refund_amount, kept)
    planned = {
        row["payment_id"]: row["amount"]
        for row in Refund.objects.filter(payment__booking=booking)
        .exclude(status=RefundStatus.FAILED)
        .values("payment_id")
        .annotate(amount=Sum("amount"))
    }
    owed -= sum(planned.values(), Decimal(0))
    for payment in captured:
        if owed <= 0:
            break
        room = payment.amount - planned.get(payment.pk, Decimal(0))
        amount = min(owed, room)
        if amount > 0:
            Refund.objects.create(payment=payment, amount=amount, reason=booking.status)
            owed -= amount


def _lock_refund(refund_id, **lookup) -> Refund | None:
    """A refund, locked in the one lock order: its booking, the booking's payments, then it."""
    booking_id = (
        Refund.objects.filter(pk=refund_id).values_list("payment__booking_id", flat=True).first()
    )
    if booking_id is None:
        return None
    _lock(booking_id)
    return (
        Refund.objects.select_for_update(of=("self",))
        .select_related("payment")
        .filter(pk=refund_id, **lookup)
        .first()
    )


def refund_send(*, refund_id, gateway: Gateway | None = None) -> int:
    """Sends one planned refund to the provider. The refund's id is the idempotency key, so
    a retry after a crash gets the same provider refund back, never a second one."""
    with transaction.atomic():
        refund = _lock_refund(refund_id, status=RefundStatus.PENDING, reference="")
        if refund is None:
            return 0  # sent meanwhile
        payment = refund.payment
        settings = selectors.payment_settings()
        if payment.provider != settings.provider:
            refund.status = RefundStatus.REQUIRES_ACTION
            refund.failure_message = (
                f"This marketplace now uses {settings.provider}; pay this back through "
                f"{payment.provider} yourself, then mark it paid."
            )
            refund.save(update_fields=["status", "failure_message", "updated"])
            return 0
        gateway = gateway or selectors.marketplace_gateway(settings)
        try:
            result = gateway.refund(
                payment.reference, refund.amount, payment.currency, str(refund.pk)
            )
        except GatewayUnavailable:
            raise  # the task retries later
        except GatewayError as exc:
            logger.error("Refund %s refused by %s: %s", refund.pk, payment.provider, exc.message)
            refund.status = RefundStatus.FAILED
            refund.failure_message = exc.message[:300]
            refund.save(update_fields=["status", "failure_message", "updated"])
            return 0
        refund.reference = result.reference
        refund.save(update_fields=["reference", "updated"])
        _refund_reached(refund, result.status)
    return 1


def refund_mark_paid(*, refund: Refund) -> Refund:
    """An offline marketplace paid a refund back itself."""
    with transaction.atomic():
        locked = _lock_refund(refund.pk)
        if locked is None or locked.status != RefundStatus.REQUIRES_ACTION:
            raise ConflictError("Only refunds waiting for the marketplace can be marked paid.")
        _refund_reached(locked, RefundStatus.SUCCEEDED)
        return locked


def _refund_reached(refund: Refund, status: str) -> None:
    """A refund's new state; money counts against its payment once, when it succeeds. The
    caller holds the locks of the refund's booking and payments."""
    if refund.status == status or refund.status in (RefundStatus.SUCCEEDED, RefundStatus.FAILED):
        return
    refund.status = status
    refund.save(update_fields=["status", "updated"])
    if status != RefundStatus.SUCCEEDED:
        return
    payment = Payment.objects.get(pk=refund.payment_id)
    payment.amount_refunded = min(payment.amount, payment.amount_refunded + refund.amount)
    payment.save(update_fields=["amount_refunded", "updated"])
    full = payment.amount_refunded >= payment.amount
    _advance(payment, PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED)
