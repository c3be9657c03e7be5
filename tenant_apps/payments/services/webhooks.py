"""Provider events: verified with the marketplace's own secret, stored once by their id, and
applied to the payment or refund they are about."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.db import transaction
from django.db.models import Q

from shared_apps.core.errors import ApplicationError
from shared_apps.core.parsers import JSONTooDeep, check_json_depth
from tenant_apps.payments import selectors
from tenant_apps.payments.constants import RefundStatus
from tenant_apps.payments.gateways.base import ProviderEvent, WebhookMalformed, WebhookRejected
from tenant_apps.payments.models import Payment, Refund, WebhookEvent
from tenant_apps.payments.services.refunds import _lock_refund, _refund_reached
from tenant_apps.payments.services.state import _advance, _lock


@transaction.atomic
def webhook_receive(*, provider: str, body: bytes, headers: Mapping[str, str]) -> str:
    """Verifies an event with this marketplace's own secret, stores it once by its id and
    applies it. Returns what happened, for the response and the event's record."""
    settings = selectors.payment_settings()
    if provider != settings.provider:
        raise ApplicationError(
            f"This marketplace doesn't take {provider} payments.", code="wrong_provider"
        )
    try:
        check_json_depth(body)  # before the provider's SDK decodes it
        event = selectors.marketplace_gateway(settings).parse_webhook(body, headers)
    except JSONTooDeep as exc:
        raise ApplicationError(str(exc), code="invalid_payload") from exc
    except WebhookMalformed as exc:
        raise ApplicationError(str(exc), code="invalid_payload") from exc
    except WebhookRejected as exc:
        raise ApplicationError(str(exc), code="bad_signature") from exc
    record, created = WebhookEvent.objects.get_or_create(
        provider=provider,
        event_id=event.event_id,
        defaults={"type": event.type, "payload": event.payload},
    )
    if not created:
        return "duplicate: already processed"
    record.outcome = _apply_event(provider, event)
    record.save(update_fields=["outcome"])
    return record.outcome


def _apply_event(provider: str, event: ProviderEvent) -> str:
    if event.refund_status is not None:
        return _apply_refund_event(provider, event)
    if event.status is None:
        return "ignored: not an event we act on"
    booking_id = (
        Payment.objects.filter(provider=provider, reference=event.payment_reference)
        .values_list("booking_id", flat=True)
        .first()
    )
    if booking_id is None:
        return "ignored: no payment here has this reference"
    locked = _lock(booking_id)
    wanted = (provider, event.payment_reference)
    payment = next(p for p in locked.payments if (p.provider, p.reference) == wanted)
    if _advance(payment, event.status, event.failure_message, booking=locked.booking):
        return f"payment {payment.status}"
    return f"ignored: payment is already {payment.status}"


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError):
        return False
    return True


def _refund_of_event(provider: str, event: ProviderEvent) -> Refund | None:
    """Our refund an event is about, by the provider's references: the refund's own
    reference, or our id that Stripe echoes back in metadata; else (Paystack names only the
    transaction) the oldest unsettled refund of that payment for that amount."""
    mine = Q(reference=event.refund_reference) if event.refund_reference else Q(pk__in=[])
    if _is_uuid(event.refund_key):
        mine |= Q(pk=event.refund_key)
    found = Refund.objects.filter(mine, payment__provider=provider).first()
    if found is None and event.payment_reference and event.refund_amount is not None:
        found = (
            Refund.objects.filter(
                payment__provider=provider,
                payment__reference=event.payment_reference,
                amount=event.refund_amount,
                status=RefundStatus.PENDING,
            )
            .order_by("created")
            .first()
        )
    return found


def _apply_refund_event(provider: str, event: ProviderEvent) -> str:
    found = _refund_of_event(provider, event)
    if found is not None:
        # An event racing the request that sent this refund waits here for it to commit.
        refund = _lock_refund(found.pk)
    else:
        # Made in the provider's dashboard: record it, so the books agree.
        payment = Payment.objects.filter(
            provider=provider, reference=event.payment_reference
        ).first()
        if payment is None:
            return "ignored: no payment here has this reference"
        if not event.refund_amount:
            return "ignored: the event names no amount"
        _lock(payment.booking_id)
        refund = Refund.objects.create(
            payment=payment, amount=event.refund_amount, reference=event.refund_reference,
            reason="made at the provider",
        )  # fmt: skip
    _refund_reached(refund, event.refund_status)
    return f"refund {refund.status}"
