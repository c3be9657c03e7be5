"""Paystack, through its HTTP API (https://paystack.com/docs/api/).

Paystack charges at once (no authorize-then-capture for cards), so a request-to-book is paid
when requested and refunded in full if the host declines or never answers."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

import requests
from django.conf import settings

from tenant_apps.payments.constants import PaymentStatus, RefundStatus
from tenant_apps.payments.gateways.base import (
    GatewayError,
    GatewayUnavailable,
    Keys,
    PaymentRequest,
    ProviderEvent,
    ProviderPayment,
    ProviderRefund,
    WebhookMalformed,
    WebhookRejected,
    major_units,
    minor_units,
)

TRANSACTION_STATUS = {
    "success": PaymentStatus.SUCCEEDED,
    "failed": PaymentStatus.FAILED,
    "reversed": PaymentStatus.REFUNDED,
}  # anything else (abandoned, ongoing, pending, queued, processing) is still pending
REFUND_STATUS = {
    "processed": RefundStatus.SUCCEEDED,
    "failed": RefundStatus.FAILED,
}  # pending, processing, needs-attention: not done yet
# Refund events, as documented (https://paystack.com/docs/payments/refunds/): `data` has the
# transaction's reference, a refund reference, the amount (a string, in minor units), the
# currency and the status; no refund id and no merchant note.
REFUND_EVENTS = {
    "refund.pending": RefundStatus.PENDING,
    "refund.processing": RefundStatus.PENDING,
    "refund.processed": RefundStatus.SUCCEEDED,
    "refund.failed": RefundStatus.FAILED,
}


class PaystackGateway:
    name = "paystack"
    holds_funds = False

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self.base = settings.PAYMENTS_PAYSTACK_API_BASE.rstrip("/")

    def create_payment(self, request: PaymentRequest) -> ProviderPayment:
        body = {
            "email": request.email,
            "amount": minor_units(request.amount, request.currency),
            "currency": request.currency,
            # Paystack refuses a reference it has seen: that is our idempotency.
            "reference": request.idempotency_key,
            "metadata": request.metadata,
        }
        if request.return_url:
            body["callback_url"] = request.return_url
        try:
            data = self._call("POST", "/transaction/initialize", json=body)
        except GatewayError as exc:
            if "duplicate" in exc.message.lower():
                # Initialized before (its page is with whoever asked then): a new reference.
                raise GatewayError(exc.message, code="reference_taken") from exc
            raise
        return ProviderPayment(
            reference=data["reference"], status=PaymentStatus.PENDING,
            amount=request.amount, currency=request.currency,
            redirect_url=data.get("authorization_url", ""),
            client_secret=data.get("access_code", ""),
        )  # fmt: skip

    def retrieve_payment(self, reference: str) -> ProviderPayment:
        data = self._call("GET", f"/transaction/verify/{reference}")
        currency = data.get("currency", "NGN")
        return ProviderPayment(
            reference=data.get("reference", reference),
            status=TRANSACTION_STATUS.get(data.get("status"), PaymentStatus.PENDING),
            amount=major_units(int(data.get("amount", 0)), currency),
            currency=currency,
            failure_message=str(data.get("gateway_response") or "")[:300]
            if data.get("status") == "failed"
            else "",
        )

    def capture(self, reference: str, amount: Decimal, currency: str) -> ProviderPayment:
        return self.retrieve_payment(reference)  # already charged: nothing held to capture

    def cancel(self, reference: str) -> ProviderPayment:
        """An unpaid Paystack transaction just lapses; a paid one must be refunded instead."""
        current = self.retrieve_payment(reference)
        if current.status == PaymentStatus.PENDING:
            return ProviderPayment(
                reference=reference, status=PaymentStatus.CANCELLED,
                amount=current.amount, currency=current.currency,
            )  # fmt: skip
        return current

    def refund(
        self, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> ProviderRefund:
        # Paystack takes no idempotency key, so a retry first looks for the refund it made.
        earlier = self._call("GET", "/refund", params={"transaction": reference})
        for item in earlier or []:
            if item.get("merchant_note") == idempotency_key:
                return self._refund(item, currency)
        data = self._call(
            "POST",
            "/refund",
            json={
                "transaction": reference,
                "amount": minor_units(amount, currency),
                "currency": currency,
                "merchant_note": idempotency_key,
            },
        )
        return self._refund(data, currency)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        """Paystack signs the raw body with the secret key: HMAC-SHA512, hex."""
        given = headers.get("X-Paystack-Signature") or ""
        expected = hmac.new(self.keys.secret_key.encode(), body, hashlib.sha512).hexdigest()
        if not given or not hmac.compare_digest(given, expected):
            raise WebhookRejected("The x-paystack-signature header is missing or wrong.")
        try:
            event = json.loads(body)
            kind, data = event["event"], event["data"]
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookRejected("The event body is not a Paystack event.") from exc
        if not isinstance(kind, str) or not isinstance(data, dict):
            raise WebhookRejected("The event body is not a Paystack event.")
        event_id = _event_id(kind, data)
        if kind == "charge.success":
            return ProviderEvent(
                event_id=event_id, type=kind, payload=event,
                payment_reference=str(data.get("reference") or ""),
                status=PaymentStatus.SUCCEEDED,
            )  # fmt: skip
        if kind in REFUND_EVENTS:
            currency = str(data.get("currency") or "NGN")
            return ProviderEvent(
                event_id=event_id, type=kind, payload=event,
                payment_reference=str(data.get("transaction_reference") or ""),
                refund_reference=str(data.get("refund_reference") or ""),
                refund_key=str(data.get("merchant_note") or ""),
                refund_status=REFUND_EVENTS[kind],
                refund_amount=major_units(_minor_amount(data.get("amount")), currency),
            )  # fmt: skip
        return ProviderEvent(event_id=event_id, type=kind, payload=event)

    def check_keys(self) -> None:
        self._call("GET", "/transaction", params={"perPage": 1})

    def _refund(self, data: dict, currency: str) -> ProviderRefund:
        return ProviderRefund(
            reference=str(data.get("id", "")),
            status=REFUND_STATUS.get(data.get("status"), RefundStatus.PENDING),
            amount=major_units(int(data.get("amount", 0)), currency),
        )

    def _call(self, method: str, path: str, **kwargs):
        try:
            response = requests.request(
                method,
                f"{self.base}{path}",
                headers={"Authorization": f"Bearer {self.keys.secret_key}"},
                timeout=settings.PAYMENTS_TIMEOUT_SECONDS,
                **kwargs,
            )
        except requests.RequestException as exc:
            raise GatewayUnavailable("Paystack could not be reached. Try again shortly.") from exc
        if response.status_code == 401:
            raise GatewayError(
                "Paystack refused the secret key: it is wrong, revoked or from another account.",
                code="keys_refused",
            )
        if response.status_code == 429 or response.status_code >= 500:
            raise GatewayUnavailable("Paystack failed on its side. Try again shortly.")
        try:
            body = response.json()
        except ValueError as exc:
            raise GatewayUnavailable("Paystack sent an answer we can't read.") from exc
        if not response.ok or not body.get("status"):
            reason = str(body.get("message") or "no reason given")[:200]
            raise GatewayError(f"Paystack refused the request: {reason}")
        return body.get("data")


def _event_id(kind: str, data: dict) -> str:
    """Paystack events carry no event id, and refund events not even the refund's id: the
    object's id when there is one, else a digest of the event's data, which is the same on
    every retry of one event and differs between a refund's pending and processed events."""
    if data.get("id") not in (None, ""):
        return f"{kind}:{data['id']}"
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return f"{kind}:sha256:{hashlib.sha256(canonical.encode()).hexdigest()}"


def _minor_amount(value) -> int:
    """Amounts come as numbers from the API and as strings in refund events; a missing one
    counts as 0, one that is not a whole, plausible number of minor units is a malformed
    event (it became 0 silently, or overflowed the amount column)."""
    if value in (None, ""):
        return 0
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.to_integral_value():
        raise WebhookMalformed("The event's data.amount is not a whole number of minor units.")
    if not 0 <= amount < 10**15:
        raise WebhookMalformed("The event's data.amount is out of range.")
    return int(amount)
