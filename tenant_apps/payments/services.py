"""Every write to payments: settings, starting and collecting payments, refunds, webhooks.

Provider calls happen while the booking row is locked, so two requests for one booking never
race at the provider, and a provider failure rolls everything back: the booking stays as it
was and the client gets a retryable 503."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from shared_apps.accounts.models import User
from shared_apps.core import crypto
from shared_apps.core.errors import ApplicationError, ConflictError, NotFoundError, UpstreamError
from shared_apps.core.tenancy import current_schema_name, current_tenant
from shared_apps.tenants.selectors import marketplace_url
from tenant_apps.bookings.constants import HOLDING_STATUSES, BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.payments import selectors
from tenant_apps.payments.constants import (
    CAPTURED_STATUSES,
    KEY_SHAPES,
    OPEN_STATUSES,
    PAYMENT_MOVES,
    PROVIDER_CURRENCIES,
    PaymentMethod,
    PaymentStatus,
    Provider,
    RefundStatus,
)
from tenant_apps.payments.gateways.base import (
    Gateway,
    GatewayError,
    GatewayUnavailable,
    PaymentRequest,
    ProviderEvent,
    WebhookRejected,
)
from tenant_apps.payments.models import Payment, PaymentSettings, Refund, WebhookEvent

logger = logging.getLogger(__name__)

SECRET_FIELDS = ("secret_key", "webhook_secret")


# --- settings ----------------------------------------------------------------------------------
@transaction.atomic
def payment_settings_update(
    *,
    provider: str,
    publishable_key: str | None = None,
    secret_key: str | None = None,
    webhook_secret: str | None = None,
    currency: str | None = None,
    offline_instructions: str | None = None,
) -> PaymentSettings:
    """Sets the marketplace's provider and keys. Secrets left out keep their stored value
    (they are write-only); switching to offline forgets them."""
    settings = PaymentSettings.objects.select_for_update().get(pk=selectors.payment_settings().pk)
    switching = provider != settings.provider
    given = {"publishable_key": publishable_key, "secret_key": secret_key,
             "webhook_secret": webhook_secret}  # fmt: skip
    problems = _key_problems(provider, given, settings, switching)
    currency = (currency or current_tenant().currency).upper()
    problems.update(_currency_problems(provider, currency))
    if problems:
        raise ApplicationError(
            "Please correct these fields: " + ", ".join(problems) + ".",
            code="invalid",
            fields={name: [message] for name, message in problems.items()},
        )
    settings.provider = provider
    settings.currency = currency
    if offline_instructions is not None:
        settings.offline_instructions = offline_instructions
    if provider == Provider.OFFLINE:
        settings.publishable_key = ""
        for name in SECRET_FIELDS:
            _store_secret(settings, name, "")
    else:
        if publishable_key is not None:
            settings.publishable_key = publishable_key
        for name in SECRET_FIELDS:
            if given[name] is not None and name in KEY_SHAPES[provider]:
                _store_secret(settings, name, given[name])
    settings.save()
    return settings


def _key_problems(provider: str, given: dict, settings: PaymentSettings, switching: bool) -> dict:
    """Each key must have its provider's shape; a new provider needs all its keys; test and
    live keys don't mix."""
    problems = {}
    shapes = KEY_SHAPES.get(provider, {})
    for name, (pattern, description) in shapes.items():
        value = given[name]
        stored = (
            settings.publishable_key
            if name == "publishable_key"
            else getattr(settings, f"{name}_encrypted")
        )
        if value is None and (switching or not stored):
            problems[name] = f"Required for {provider}: {description}."
        elif value is not None and not pattern.match(value):
            problems[name] = f"This is not {description}."
    secret, public = given["secret_key"], given["publishable_key"]
    if not problems and provider != Provider.OFFLINE:
        secret = secret or _stored_secret(settings)
        public = public or settings.publishable_key
        if _mode(secret) != _mode(public):
            problems["publishable_key"] = (
                f"The secret key is a {_mode(secret)} key but this is a {_mode(public)} key; "
                "use keys of the same mode."
            )
    return problems


def _stored_secret(settings: PaymentSettings) -> str:
    try:
        return selectors.settings_keys(settings).secret_key
    except crypto.SecretUnreadable:
        return ""


def _mode(key: str) -> str:
    return "live" if "_live_" in key else "test"


def _currency_problems(provider: str, currency: str) -> dict:
    marketplace = current_tenant().currency
    if currency != marketplace:
        return {
            "currency": f"Bookings here are priced in {marketplace}, so guests are charged in "
            f"{marketplace}."
        }
    accepted = PROVIDER_CURRENCIES[provider]
    if accepted is not None and currency not in accepted:
        return {
            "currency": f"{Provider(provider).label} doesn't take {currency}; it takes "
            f"{', '.join(sorted(accepted))}."
        }
    return {}


def _store_secret(settings: PaymentSettings, name: str, value: str) -> None:
    setattr(settings, f"{name}_encrypted", crypto.encrypt(value) if value else "")
    setattr(settings, f"{name}_last4", crypto.last4(value))


def payment_settings_check() -> str:
    """Asks the provider whether the stored keys work; returns the provider asked."""
    settings = selectors.payment_settings()
    try:
        selectors.marketplace_gateway(settings).check_keys()
    except GatewayUnavailable as exc:
        raise UpstreamError(exc.message, code="provider_unavailable") from exc
    except GatewayError as exc:
        raise ApplicationError(
            exc.message, code="keys_refused", fields={"secret_key": [exc.message]}
        ) from exc
    return settings.provider


def secrets_rotate() -> int:
    """Re-encrypts this marketplace's secrets with the newest key; returns how many."""
    done = 0
    with transaction.atomic():
        for settings in PaymentSettings.objects.select_for_update():
            for name in SECRET_FIELDS:
                token = getattr(settings, f"{name}_encrypted")
                if token:
                    setattr(settings, f"{name}_encrypted", crypto.rotate(token))
                    done += 1
            settings.save(update_fields=[f"{n}_encrypted" for n in SECRET_FIELDS])
    return done


# --- paying ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PaymentStart:
    payment: Payment
    provider: str
    client_secret: str = ""
    publishable_key: str = ""
    redirect_url: str = ""
    instructions: str = ""


def _locked_booking(booking_id, **lookup) -> Booking:
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("property")
        .filter(pk=booking_id, **lookup)
        .first()
    )
    if booking is None:
        raise NotFoundError("No booking of yours has this id.")
    return booking


def _provider_call(call, *args):
    """A gateway call; its failures become API errors (nothing was changed here)."""
    try:
        return call(*args)
    except GatewayUnavailable as exc:
        raise UpstreamError(exc.message, code="provider_unavailable") from exc
    except GatewayError as exc:
        raise ApplicationError(exc.message, code=exc.code, status=502) from exc


@transaction.atomic
def payment_start(*, booking_id, guest: User) -> PaymentStart:
    """Starts paying for a booking: a provider payment with the marketplace's own keys
    (authorized only, for a request the host hasn't accepted), or the offline instructions.
    Asking again returns the same open payment."""
    booking = _locked_booking(booking_id, guest=guest)
    settings = selectors.payment_settings()
    gateway = selectors.marketplace_gateway(settings)
    payments = list(booking.payments.select_for_update())
    _require_payable(booking, payments, settings)
    open_one = next(
        (p for p in payments if p.status in OPEN_STATUSES and p.provider == settings.provider),
        None,
    )
    attempt = open_one.attempt if open_one else len(payments) + 1
    tenant = current_tenant()
    request = PaymentRequest(
        amount=booking.total,
        currency=booking.currency,
        idempotency_key=f"{current_schema_name()}-{booking.pk}-{attempt}",
        capture_manually=booking.status == BookingStatus.REQUESTED and gateway.holds_funds,
        description=f"{tenant.brand_name}: {booking.property.title}, "
        f"{booking.check_in:%Y-%m-%d} to {booking.check_out:%Y-%m-%d}",
        email=guest.email,
        metadata={
            "booking": str(booking.pk),
            "marketplace": current_schema_name(),
            "attempt": str(attempt),
        },  # fmt: skip
        return_url=f"{marketplace_url(tenant=tenant)}/trips/{booking.pk}/",  # storefront-trip
    )
    result = _provider_call(gateway.create_payment, request)
    payment = open_one or Payment(
        booking=booking, attempt=attempt, provider=settings.provider,
        amount=booking.total, currency=booking.currency,
        capture_manually=request.capture_manually,
        method=PaymentMethod.CARD if settings.provider != Provider.OFFLINE
        else PaymentMethod.BANK_TRANSFER,
    )  # fmt: skip
    payment.reference = result.reference
    payment.save()
    _advance(payment, result.status, result.failure_message)
    return PaymentStart(
        payment=payment,
        provider=settings.provider,
        client_secret=result.client_secret,
        publishable_key=settings.publishable_key,
        redirect_url=result.redirect_url,
        instructions=settings.offline_instructions if settings.provider == Provider.OFFLINE
        else "",
    )  # fmt: skip


def _require_payable(booking: Booking, payments: list[Payment], settings: PaymentSettings):
    if any(p.status in (PaymentStatus.REQUIRES_CAPTURE, *CAPTURED_STATUSES) for p in payments):
        raise ConflictError("This booking is already paid or authorized.", code="already_paid")
    if booking.status == BookingStatus.PENDING_PAYMENT:
        return
    if booking.status == BookingStatus.REQUESTED:
        if settings.provider == Provider.OFFLINE:
            raise ConflictError(
                "The host hasn't accepted this request yet; you pay once they do.",
                code="not_awaiting_payment",
            )
        return
    raise ConflictError(
        f"This booking is {booking.status.replace('_', ' ')}; it isn't awaiting payment.",
        code="not_awaiting_payment",
    )


@transaction.atomic
def payment_mark_paid(*, booking_id, method: str, reference: str = "", note: str = "") -> Payment:
    """An offline marketplace's admin records money received; an instant booking waiting for
    it is confirmed."""
    booking = _locked_booking(booking_id)
    settings = selectors.payment_settings()
    if settings.provider != Provider.OFFLINE:
        raise ConflictError(
            f"This marketplace is paid through {Provider(settings.provider).label}; the "
            "provider confirms payments.",
            code="not_offline",
        )
    payments = list(booking.payments.select_for_update())
    if any(p.status in CAPTURED_STATUSES for p in payments):
        raise ConflictError("This booking is already marked paid.", code="already_paid")
    if booking.status not in HOLDING_STATUSES:
        raise ConflictError(
            f"This booking is {booking.status.replace('_', ' ')}; there is nothing to pay.",
            code="not_awaiting_payment",
        )
    payment = next((p for p in payments if p.status in OPEN_STATUSES), None) or Payment(
        booking=booking, attempt=len(payments) + 1, provider=Provider.OFFLINE,
        amount=booking.total, currency=booking.currency,
    )  # fmt: skip
    payment.method = method
    payment.note = note
    payment.reference = reference or payment.reference or f"offline-{booking.pk}-{payment.attempt}"
    payment.save()
    _advance(payment, PaymentStatus.SUCCEEDED)  # confirms an instant booking waiting for it
    return payment


def payment_collect_for_accept(*, booking: Booking) -> bool:
    """Called by booking_accept with the booking locked: captures the guest's authorization.
    True when the stay is paid for (or the marketplace takes payment offline); False when
    nothing was authorized, so the booking waits for the guest to pay."""
    settings = selectors.payment_settings()
    if settings.provider == Provider.OFFLINE:
        return True
    payments = list(booking.payments.select_for_update())
    if any(p.status in CAPTURED_STATUSES for p in payments):
        return True  # charged at request time (Paystack)
    gateway = selectors.marketplace_gateway(settings)
    for payment in payments:
        if payment.status != PaymentStatus.REQUIRES_CAPTURE:
            continue
        try:
            result = gateway.capture(payment.reference, payment.amount, payment.currency)
        except GatewayUnavailable as exc:
            raise UpstreamError(exc.message, code="provider_unavailable") from exc
        except GatewayError:
            # The authorization lapsed or was refused: the guest pays again.
            result = _provider_call(gateway.retrieve_payment, payment.reference)
        _advance(payment, result.status, result.failure_message, update_booking=False)
        if payment.status == PaymentStatus.SUCCEEDED:
            return True
    return False


# --- refunds and releases ----------------------------------------------------------------------
def booking_settle(*, booking_id) -> int:
    """A booking that no longer holds its dates (declined, expired, cancelled) gives the
    guest's money back: authorizations are released, captured money refunded up to what the
    policy allows. Safe to run any number of times; returns the refunds sent."""
    with transaction.atomic():
        booking = _locked_booking(booking_id)
        if booking.status in (*HOLDING_STATUSES, BookingStatus.COMPLETED):
            return 0
        gateway = selectors.marketplace_gateway()
        payments = list(booking.payments.select_for_update())
        for payment in payments:
            releasable = (PaymentStatus.REQUIRES_CAPTURE, *OPEN_STATUSES)
            if payment.status in releasable and payment.provider == gateway.name:
                result = _provider_call(gateway.cancel, payment.reference)
                _advance(payment, result.status, result.failure_message)
        _plan_refunds(booking, payments)
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


def refund_send(*, refund_id, gateway: Gateway | None = None) -> int:
    """Sends one planned refund to the provider. The refund's id is the idempotency key, so
    a retry after a crash gets the same provider refund back, never a second one."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("payment")
            .filter(pk=refund_id, status=RefundStatus.PENDING, reference="")
            .first()
        )
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
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if locked.status != RefundStatus.REQUIRES_ACTION:
            raise ConflictError("Only refunds waiting for the marketplace can be marked paid.")
        _refund_reached(locked, RefundStatus.SUCCEEDED)
        return locked


def _refund_reached(refund: Refund, status: str) -> None:
    """A refund's new state; money counts against its payment once, when it succeeds."""
    if refund.status == status or refund.status in (RefundStatus.SUCCEEDED, RefundStatus.FAILED):
        return
    refund.status = status
    refund.save(update_fields=["status", "updated"])
    if status != RefundStatus.SUCCEEDED:
        return
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    payment.amount_refunded = min(payment.amount, payment.amount_refunded + refund.amount)
    payment.save(update_fields=["amount_refunded", "updated"])
    full = payment.amount_refunded >= payment.amount
    _advance(payment, PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED)


# --- payment state -----------------------------------------------------------------------------
def _advance(
    payment: Payment, to: str, failure_message: str = "", *, update_booking: bool = True
) -> bool:
    """Moves a payment forward; an older or repeated state is ignored (False). Money arriving
    then moves the booking on, unless the caller moves it itself (an accept)."""
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
    if update_booking and to in (PaymentStatus.SUCCEEDED, PaymentStatus.REQUIRES_CAPTURE):
        _booking_paid(payment)
    return True


def _booking_paid(payment: Payment) -> None:
    """Money arrived (or was authorized) for a booking: an instant booking is confirmed, as
    is a request whose captured authorization the provider reports first (its accept was
    lost after the capture); a booking that gave its dates back meanwhile gets the money
    back."""
    from tenant_apps.bookings.services import booking_confirm_capture, booking_confirm_payment
    from tenant_apps.payments.tasks import settle_booking

    booking = Booking.objects.select_for_update().get(pk=payment.booking_id)
    paid = payment.status == PaymentStatus.SUCCEEDED
    if booking.status == BookingStatus.PENDING_PAYMENT and paid:
        booking_confirm_payment(booking=booking)
    elif booking.status == BookingStatus.REQUESTED and paid and payment.capture_manually:
        booking_confirm_capture(booking=booking)
    elif booking.status not in (*HOLDING_STATUSES, BookingStatus.COMPLETED):
        booking_id = str(booking.pk)
        transaction.on_commit(lambda: settle_booking.delay(booking_id=booking_id))


# --- webhooks ----------------------------------------------------------------------------------
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
        event = selectors.marketplace_gateway(settings).parse_webhook(body, headers)
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
    payment = (
        Payment.objects.select_for_update()
        .filter(provider=provider, reference=event.payment_reference)
        .first()
    )
    if payment is None:
        return "ignored: no payment here has this reference"
    if _advance(payment, event.status, event.failure_message):
        return f"payment {payment.status}"
    return f"ignored: payment is already {payment.status}"


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError):
        return False
    return True


def _apply_refund_event(provider: str, event: ProviderEvent) -> str:
    # Our own refunds carry their id (sent as metadata), so an event racing the request that
    # made the refund still finds it: it waits on the row lock until that request commits.
    mine = Q(reference=event.refund_reference)
    if _is_uuid(event.refund_key):
        mine |= Q(pk=event.refund_key)
    refund = (
        Refund.objects.select_for_update(of=("self",))
        .filter(mine, payment__provider=provider)
        .first()
    )
    if refund is None:
        # Made in the provider's dashboard: record it, so the books agree.
        payment = Payment.objects.filter(
            provider=provider, reference=event.payment_reference
        ).first()
        if payment is None:
            return "ignored: no payment here has this reference"
        refund = Refund.objects.create(
            payment=payment, amount=event.refund_amount, reference=event.refund_reference,
            reason="made at the provider",
        )  # fmt: skip
    _refund_reached(refund, event.refund_status)
    return f"refund {refund.status}"
