"""The small protocol every payment provider implements, and the plain values at its edge.

Nothing outside `gateways/` imports a provider library; services see only this module."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from tenant_apps.bookings.constants import ZERO_DECIMAL_CURRENCIES

# ISO 4217 currencies with three minor digits.
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})


def minor_units(amount: Decimal, currency: str) -> int:
    """An amount in the currency's smallest unit, as providers count (cents, kobo)."""
    return int(amount * (10 ** _exponent(currency)))


def major_units(amount: int, currency: str) -> Decimal:
    return Decimal(amount) / (10 ** _exponent(currency))


def _exponent(currency: str) -> int:
    currency = currency.upper()
    if currency in ZERO_DECIMAL_CURRENCIES:
        return 0
    return 3 if currency in THREE_DECIMAL_CURRENCIES else 2


@dataclass(frozen=True)
class Keys:
    secret_key: str
    publishable_key: str = ""
    webhook_secret: str = ""


@dataclass(frozen=True)
class PaymentRequest:
    amount: Decimal
    currency: str
    # The same key for the same booking and attempt: a retried request never charges twice.
    idempotency_key: str
    capture_manually: bool
    description: str
    email: str
    metadata: dict[str, str] = field(default_factory=dict)
    return_url: str = ""


@dataclass(frozen=True)
class ProviderPayment:
    reference: str
    status: str  # a PaymentStatus value
    amount: Decimal
    currency: str
    client_secret: str = ""  # Stripe: what Stripe.js confirms the card with
    redirect_url: str = ""  # Paystack: the hosted page the guest pays on
    failure_message: str = ""
    # Whether the provider holds the money for a later capture (None: it can't tell).
    capture_manually: bool | None = None


@dataclass(frozen=True)
class ProviderRefund:
    reference: str
    status: str  # a RefundStatus value
    amount: Decimal


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event, reduced to what we act on."""

    event_id: str
    type: str
    payload: dict
    payment_reference: str = ""
    status: str | None = None  # the PaymentStatus the event reports, if any
    failure_message: str = ""
    # Refund events: which refund, its state (a RefundStatus value), how much. Providers
    # that don't echo the refund's own id (Paystack) are matched by the payment's reference
    # and the amount.
    refund_reference: str = ""
    refund_key: str = ""  # the idempotency key we sent with the refund, echoed back
    refund_status: str | None = None
    refund_amount: Decimal | None = None


class GatewayError(Exception):
    """The provider said no (bad keys, a declined card, a request it refuses). `message` is
    safe to show: it never carries a secret."""

    def __init__(self, message: str, *, code: str = "provider_refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class GatewayUnavailable(GatewayError):
    """The provider could not be reached or failed on its side: try again later."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="provider_unavailable")


class WebhookRejected(Exception):
    """Unsigned, wrongly signed, stale or malformed: not from the provider, or not now."""


class WebhookMalformed(WebhookRejected):
    """Correctly signed, but not in the shape the provider documents for its type."""


class Gateway(Protocol):
    name: str
    # Can money be authorized now and captured later? (Stripe yes; Paystack charges at once.)
    holds_funds: bool

    def create_payment(self, request: PaymentRequest) -> ProviderPayment: ...

    def retrieve_payment(self, reference: str) -> ProviderPayment: ...

    def capture(self, reference: str, amount: Decimal, currency: str) -> ProviderPayment: ...

    def cancel(self, reference: str) -> ProviderPayment: ...

    def refund(
        self, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> ProviderRefund: ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent: ...

    def check_keys(self) -> None:
        """Raises GatewayError with a clear message when the provider refuses the keys."""
