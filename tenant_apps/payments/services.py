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
from shared_apps.core.parsers import JSONTooDeep, check_json_depth
from shared_apps.core.tenancy import current_schema_name, current_tenant
from shared_apps.tenants.selectors import marketplace_url
from tenant_apps.bookings.collection import payment_collector
from tenant_apps.bookings.constants import HOLDING_STATUSES, BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.pricing import booking_policy
from tenant_apps.bookings.services import booking_confirm_capture, booking_confirm_payment
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
    ProviderPayment,
    WebhookMalformed,
    WebhookRejected,
)
from tenant_apps.payments.locks import LockedBooking, lock_booking_and_payments
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
    settings = PaymentSettings.load(for_update=True)
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
            elif switching and name not in KEY_SHAPES[provider]:
                _store_secret(settings, name, "")  # the old provider's: nothing may use it
    settings.save()
    return settings


# Keys a provider has no use for, and why (given anyway, they are a 400, not dropped).
UNUSED_KEYS = {
    Provider.PAYSTACK: {
        "webhook_secret": "Paystack signs its webhooks with your secret key, so there is no "
        "separate webhook secret to set. Leave this field out."
    },
}


def _key_problems(provider: str, given: dict, settings: PaymentSettings, switching: bool) -> dict:
    """Each key must have its provider's shape; a new provider needs all its keys; test and
    live keys don't mix."""
    problems = {}
    shapes = KEY_SHAPES.get(provider, {})
    for name, reason in UNUSED_KEYS.get(provider, {}).items():
        if given[name]:  # never silently dropped: say why this provider has no use for it
            problems[name] = reason
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
    # The currency is the marketplace's, set by the platform operator (prices, fees and
    # payouts are in it); the admin only picks a provider that takes it.
    marketplace = current_tenant().currency
    if currency != marketplace:
        return {
            "currency": f"Bookings here are priced in {marketplace}, so guests are charged in "
            f"{marketplace}. The platform operator sets the marketplace's currency."
        }
    accepted = PROVIDER_CURRENCIES[provider]
    if accepted is not None and currency not in accepted:
        return {
            "currency": f"{Provider(provider).label} doesn't take {currency}; it takes "
            f"{', '.join(sorted(accepted))}. {currency} is the marketplace's currency, set by "
            "the platform operator: choose a provider that takes it, or ask the operator to "
            "change it."
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
    return_url: str = ""


@dataclass(frozen=True)
class AttemptTerms:
    """What a provider payment is created with. An attempt keeps its terms for life: its
    idempotency key is only ever sent with them (a provider refuses a key reused with
    different parameters), so changed terms make a new attempt with a new key."""

    amount: Decimal
    currency: str
    capture_manually: bool

    def fit(self, payment: Payment) -> bool:
        return (payment.amount, payment.currency, payment.capture_manually) == (
            self.amount, self.currency, self.capture_manually,
        )  # fmt: skip


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


def trip_url(booking: Booking) -> str:
    """The guest's trip page on the marketplace's own host: where a provider's payment page
    sends the guest back to."""
    return f"{marketplace_url(tenant=current_tenant())}/trips/{booking.pk}/"


@transaction.atomic
def payment_start(*, booking_id, guest: User, method: str | None = None) -> PaymentStart:
    """Starts paying for a booking: a provider payment with the marketplace's own keys
    (authorized only, for a request the host hasn't accepted), or the offline instructions
    (`method`: how the guest will pay offline). Asking again returns the same open attempt
    and its stored payment page; if the attempt's terms changed meanwhile (the host accepted,
    so the money is now charged at once), the old provider payment is cancelled and a new
    attempt starts."""
    locked = _lock(booking_id, guest=guest)
    booking = locked.booking
    settings = selectors.payment_settings()
    offline = settings.provider == Provider.OFFLINE
    if method is not None and not offline:
        raise ApplicationError(
            f"This marketplace takes cards through {Provider(settings.provider).label}; a "
            "payment method is only chosen on offline marketplaces.",
            code="invalid", fields={"method": ["Only for offline payments."]},
        )  # fmt: skip
    gateway = selectors.marketplace_gateway(settings)
    _require_payable(booking, locked.payments, settings)
    terms = AttemptTerms(
        amount=booking.total,
        currency=booking.currency,
        capture_manually=booking.status == BookingStatus.REQUESTED and gateway.holds_funds,
    )
    payment = _open_attempt(locked.payments, settings.provider)
    if payment is not None and not _resumable(payment, terms):
        _abandon(payment, gateway, booking)
        if payment.status in (PaymentStatus.REQUIRES_CAPTURE, *CAPTURED_STATUSES):
            # The provider says the guest paid meanwhile: nothing more to start.
            return PaymentStart(payment=payment, provider=settings.provider)
        payment = None
    if payment is None:
        payment = _new_attempt(booking, locked.payments, settings, gateway, terms, guest, method)
    elif method is not None and payment.method != method:
        payment.method = method
        payment.save(update_fields=["method", "updated"])
    return PaymentStart(
        payment=payment,
        provider=settings.provider,
        client_secret=payment.client_secret,
        publishable_key=settings.publishable_key,
        redirect_url=payment.redirect_url,
        instructions=selectors.offline_instructions(settings=settings, booking=booking)
        if offline else "",
        return_url=trip_url(booking),
    )  # fmt: skip


def _open_attempt(payments: list[Payment], provider: str) -> Payment | None:
    """The latest attempt the guest can still complete with the current provider."""
    open_ones = [p for p in payments if p.status in OPEN_STATUSES and p.provider == provider]
    return max(open_ones, key=lambda p: p.attempt, default=None)


def _resumable(payment: Payment, terms: AttemptTerms) -> bool:
    has_page = payment.client_secret or payment.redirect_url or payment.provider == Provider.OFFLINE
    return terms.fit(payment) and bool(has_page)


def _abandon(payment: Payment, gateway: Gateway, booking: Booking) -> None:
    """Cancels an attempt that won't be completed, at the provider first, so it can never
    be paid (or hold the guest's money) unseen. What the provider answers is what it is."""
    if payment.provider == Provider.OFFLINE or not payment.reference:
        _advance(payment, PaymentStatus.CANCELLED)
        return
    result = _provider_call(gateway.cancel, payment.reference)
    _advance(payment, result.status, result.failure_message, booking=booking)


def _new_attempt(
    booking: Booking,
    payments: list[Payment],
    settings: PaymentSettings,
    gateway: Gateway,
    terms: AttemptTerms,
    guest: User,
    method: str | None,
) -> Payment:
    attempt = max((p.attempt for p in payments), default=0) + 1
    for _ in range(3):
        try:
            result = gateway.create_payment(_payment_request(booking, terms, guest, attempt))
            break
        except GatewayError as exc:
            if exc.code != "reference_taken":
                raise _api_error(exc) from exc
            # A transaction that rolled back after reaching the provider used this key (with
            # other parameters): it stays unused there; this attempt takes the next number.
            attempt += 1
    else:
        raise UpstreamError(
            "The provider keeps refusing new payment references. Try again shortly.",
            code="provider_unavailable",
        )
    if settings.provider == Provider.OFFLINE:
        chosen = method or PaymentMethod.BANK_TRANSFER
    else:
        chosen = PaymentMethod.CARD
    payment = Payment.objects.create(
        booking=booking, attempt=attempt, provider=settings.provider,
        amount=terms.amount, currency=terms.currency, method=chosen,
        capture_manually=terms.capture_manually if result.capture_manually is None
        else result.capture_manually,
        reference=result.reference, client_secret=result.client_secret,
        redirect_url=result.redirect_url,
    )  # fmt: skip
    payments.append(payment)
    _advance(payment, result.status, result.failure_message, booking=booking)
    return payment


def _payment_request(
    booking: Booking, terms: AttemptTerms, guest: User, attempt: int
) -> PaymentRequest:
    schema = current_schema_name()
    return PaymentRequest(
        amount=terms.amount,
        currency=terms.currency,
        idempotency_key=f"{schema}-{booking.pk}-{attempt}",
        capture_manually=terms.capture_manually,
        description=f"{current_tenant().brand_name}: {booking.property.title}, "
        f"{booking.check_in:%Y-%m-%d} to {booking.check_out:%Y-%m-%d}",
        email=guest.email,
        metadata={"booking": str(booking.pk), "marketplace": schema, "attempt": str(attempt)},
        return_url=trip_url(booking),
    )


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
def payment_mark_paid(
    *, booking_id, method: str | None = None, reference: str = "", note: str = ""
) -> Payment:
    """An offline marketplace's admin records money received for a booking awaiting it,
    which confirms the booking. Without a `method`, the one the guest chose is kept."""
    locked = _lock(booking_id)
    booking = locked.booking
    settings = selectors.payment_settings()
    if settings.provider != Provider.OFFLINE:
        raise ConflictError(
            f"This marketplace is paid through {Provider(settings.provider).label}; the "
            "provider confirms payments.",
            code="not_offline",
        )
    if any(p.status in CAPTURED_STATUSES for p in locked.payments):
        raise ConflictError("This booking is already marked paid.", code="already_paid")
    if booking.status != BookingStatus.PENDING_PAYMENT:
        waiting = " (a request awaits its host's answer first)" if (
            booking.status == BookingStatus.REQUESTED
        ) else ""  # fmt: skip
        raise ConflictError(
            f"This booking is {booking.status.replace('_', ' ')}, not awaiting payment"
            f"{waiting}; only bookings awaiting payment can be marked paid.",
            code="not_awaiting_payment",
        )
    payment = _open_attempt(locked.payments, Provider.OFFLINE)
    if payment is None:
        attempt = max((p.attempt for p in locked.payments), default=0) + 1
        payment = Payment(
            booking=booking, attempt=attempt, provider=Provider.OFFLINE,
            amount=booking.total, currency=booking.currency, method=method or PaymentMethod.CASH,
        )  # fmt: skip
    elif method is not None:
        payment.method = method
    payment.note = note
    payment.reference = reference or payment.reference or f"offline-{booking.pk}-{payment.attempt}"
    payment.save()
    _advance(payment, PaymentStatus.SUCCEEDED, booking=booking)  # confirms the booking
    return payment


def payment_collect_for_accept(*, booking: Booking) -> bool:
    """Called by the host's accept, with the booking locked: collects the guest's money.

    The provider's word comes before our rows: every attempt not known to be settled is
    read back from the provider, so an authorization whose event is late or lost is still
    captured (never left held on the guest's card while they are asked to pay again). True
    when the stay is paid for (or an offline marketplace takes payment on arrival); False
    when the booking must wait for the guest's payment."""
    locked = _lock(booking.pk)
    settings = selectors.payment_settings()
    if any(p.status in CAPTURED_STATUSES for p in locked.payments):
        return True  # charged at request time (Paystack)
    if settings.provider == Provider.OFFLINE:
        return booking_policy().collect_payment_on_arrival
    gateway = selectors.marketplace_gateway(settings)
    paid = False
    for payment in locked.payments:
        if payment.provider != gateway.name or not payment.reference:
            continue
        if payment.status not in (PaymentStatus.REQUIRES_CAPTURE, *OPEN_STATUSES):
            continue
        current = _provider_call(gateway.retrieve_payment, payment.reference)
        if current.status == PaymentStatus.REQUIRES_CAPTURE:
            # One capture pays the stay; any other authorization is released, not kept.
            current = _release(gateway, payment) if paid else _capture(gateway, payment)
        _advance(payment, current.status, current.failure_message)
        paid = paid or payment.status == PaymentStatus.SUCCEEDED
    return paid


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


# --- refunds and releases ----------------------------------------------------------------------
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


# --- payment state -----------------------------------------------------------------------------
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
