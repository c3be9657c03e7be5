"""Cash or bank transfer: nothing to call. The marketplace's admin marks bookings paid, and
pays refunds back itself (they wait as `requires_action` until marked done)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from tenant_apps.payments.constants import PaymentStatus, RefundStatus
from tenant_apps.payments.gateways.base import (
    Keys,
    PaymentRequest,
    ProviderEvent,
    ProviderPayment,
    ProviderRefund,
    WebhookRejected,
)


class OfflineGateway:
    name = "offline"
    holds_funds = False

    def __init__(self, keys: Keys | None = None) -> None:
        self.keys = keys

    def create_payment(self, request: PaymentRequest) -> ProviderPayment:
        return ProviderPayment(
            reference=request.idempotency_key, status=PaymentStatus.PENDING,
            amount=request.amount, currency=request.currency,
        )  # fmt: skip

    def retrieve_payment(self, reference: str) -> ProviderPayment:
        raise NotImplementedError("Offline payments live only in our database.")

    def capture(self, reference: str, amount: Decimal, currency: str) -> ProviderPayment:
        return ProviderPayment(reference, PaymentStatus.SUCCEEDED, amount, currency)

    def cancel(self, reference: str) -> ProviderPayment:
        return ProviderPayment(reference, PaymentStatus.CANCELLED, Decimal(0), "")

    def refund(
        self, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> ProviderRefund:
        return ProviderRefund(reference="", status=RefundStatus.REQUIRES_ACTION, amount=amount)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        raise WebhookRejected("Offline payments have no webhooks.")

    def check_keys(self) -> None:
        return None
