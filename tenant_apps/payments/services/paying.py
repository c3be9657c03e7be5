"""Paying for a booking: starting (or resuming) a payment attempt with the marketplace's own
keys, an offline marketplace's admin marking a booking paid, and collecting the guest's
money when the host accepts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from shared_apps.accounts.models import User
from shared_apps.core.errors import ApplicationError, ConflictError, UpstreamError
from shared_apps.core.tenancy import current_schema_name, current_tenant
from shared_apps.tenants.selectors import marketplace_url
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.pricing import booking_policy
from tenant_apps.payments import selectors
from tenant_apps.payments.constants import (
    CAPTURED_STATUSES,
    OPEN_STATUSES,
    PaymentMethod,
    PaymentStatus,
    Provider,
)
from tenant_apps.payments.gateways.base import Gateway, GatewayError, PaymentRequest
from tenant_apps.payments.models import Payment, PaymentSettings
from tenant_apps.payments.services.state import (
    _advance,
    _api_error,
    _capture,
    _lock,
    _provider_call,
    _release,
)


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
