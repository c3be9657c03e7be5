"""Stripe, through the official library: one `StripeClient` per marketplace's keys, never the
global `stripe.api_key`, so two marketplaces' requests can't cross."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

import stripe
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

# PaymentIntent.status -> ours. The guest still has to act in every state mapped to pending.
INTENT_STATUS = {
    "requires_payment_method": PaymentStatus.PENDING,
    "requires_confirmation": PaymentStatus.PENDING,
    "requires_action": PaymentStatus.PENDING,
    "processing": PaymentStatus.PENDING,
    "requires_capture": PaymentStatus.REQUIRES_CAPTURE,
    "succeeded": PaymentStatus.SUCCEEDED,
    "canceled": PaymentStatus.CANCELLED,
}
# Events about a PaymentIntent -> the state they report.
INTENT_EVENTS = {
    "payment_intent.succeeded": PaymentStatus.SUCCEEDED,
    "payment_intent.amount_capturable_updated": PaymentStatus.REQUIRES_CAPTURE,
    "payment_intent.payment_failed": PaymentStatus.FAILED,
    "payment_intent.canceled": PaymentStatus.CANCELLED,
}
REFUND_EVENTS = {"refund.created", "refund.updated", "refund.failed"}
REFUND_STATUS = {
    "succeeded": RefundStatus.SUCCEEDED,
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.FAILED,
}


class StripeGateway:
    name = "stripe"
    holds_funds = True

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        base = settings.PAYMENTS_STRIPE_API_BASE
        self.client = stripe.StripeClient(
            keys.secret_key,
            base_addresses={"api": base} if base else None,
            max_network_retries=settings.PAYMENTS_NETWORK_RETRIES,
            http_client=stripe.RequestsClient(timeout=settings.PAYMENTS_TIMEOUT_SECONDS),
        )

    # --- payments ----------------------------------------------------------------------------
    def create_payment(self, request: PaymentRequest) -> ProviderPayment:
        params = {
            "amount": minor_units(request.amount, request.currency),
            "currency": request.currency.lower(),
            "capture_method": "manual" if request.capture_manually else "automatic",
            "automatic_payment_methods": {"enabled": True},
            "description": request.description,
            "receipt_email": request.email,
            "metadata": request.metadata,
        }
        intent = self._call(
            self.client.v1.payment_intents.create,
            params,
            {"idempotency_key": request.idempotency_key},
        )
        return self._payment(intent)

    def retrieve_payment(self, reference: str) -> ProviderPayment:
        return self._payment(self._call(self.client.v1.payment_intents.retrieve, reference))

    def capture(self, reference: str, amount: Decimal, currency: str) -> ProviderPayment:
        params = {"amount_to_capture": minor_units(amount, currency)}
        return self._payment(self._call(self.client.v1.payment_intents.capture, reference, params))

    def cancel(self, reference: str) -> ProviderPayment:
        try:
            return self._payment(self._call(self.client.v1.payment_intents.cancel, reference))
        except GatewayError as exc:
            if isinstance(exc, GatewayUnavailable):
                raise
            # Already cancelled (or captured meanwhile): report what it is now.
            return self.retrieve_payment(reference)

    def refund(
        self, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> ProviderRefund:
        params = {
            "payment_intent": reference,
            "amount": minor_units(amount, currency),
            "metadata": {"refund": idempotency_key},
        }
        refund = self._call(
            self.client.v1.refunds.create, params, {"idempotency_key": idempotency_key}
        ).to_dict()
        return ProviderRefund(
            reference=refund["id"],
            status=REFUND_STATUS.get(refund["status"], RefundStatus.PENDING),
            amount=major_units(refund["amount"], currency),
        )

    # --- webhooks and keys ---------------------------------------------------------------------
    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        if not self.keys.webhook_secret:
            raise WebhookRejected("This marketplace has no Stripe webhook signing secret set.")
        try:
            self.client.construct_event(
                body,
                headers.get("Stripe-Signature"),
                self.keys.webhook_secret,
                tolerance=settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS,
            )
            event = json.loads(body)
            kind, obj = event["type"], event["data"]["object"]
            event_id = event["id"]
        except stripe.SignatureVerificationError as exc:
            raise WebhookRejected(
                "The Stripe-Signature header is missing, wrong or too old."
            ) from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookRejected("The event body is not a Stripe event.") from exc
        if not isinstance(obj, dict) or not isinstance(kind, str):
            raise WebhookMalformed("The event's data.object is not an object.")
        try:
            return self._event(kind, event_id, event, obj)
        except (ValueError, TypeError, AttributeError) as exc:  # e.g. an amount that's no number
            raise WebhookMalformed(
                f"The {kind} event's data.object does not have Stripe's documented shape."
            ) from exc

    @staticmethod
    def _event(kind: str, event_id: str, event: dict, obj: dict) -> ProviderEvent:
        if kind in INTENT_EVENTS:
            error = obj.get("last_payment_error") or {}
            return ProviderEvent(
                event_id=event_id, type=kind, payload=event, payment_reference=obj.get("id", ""),
                status=INTENT_EVENTS[kind], failure_message=str(error.get("message", ""))[:300],
            )  # fmt: skip
        if kind in REFUND_EVENTS:
            return ProviderEvent(
                event_id=event_id, type=kind, payload=event,
                payment_reference=obj.get("payment_intent") or "",
                refund_reference=obj.get("id", ""),
                refund_key=str((obj.get("metadata") or {}).get("refund", "")),
                refund_status=REFUND_STATUS.get(obj.get("status"), RefundStatus.PENDING),
                refund_amount=major_units(int(obj.get("amount", 0)), obj.get("currency", "usd")),
            )  # fmt: skip
        return ProviderEvent(event_id=event_id, type=kind, payload=event)

    def check_keys(self) -> None:
        # Reading one PaymentIntent needs the permission a restricted key must have anyway.
        self._call(self.client.v1.payment_intents.list, {"limit": 1})

    # --- helpers -------------------------------------------------------------------------------
    def _payment(self, intent) -> ProviderPayment:
        data = intent.to_dict()  # StripeObject is not a dict
        error = data.get("last_payment_error") or {}
        return ProviderPayment(
            reference=data["id"],
            status=INTENT_STATUS.get(data["status"], PaymentStatus.PENDING),
            amount=major_units(data["amount"], data["currency"]),
            currency=data["currency"].upper(),
            client_secret=data.get("client_secret") or "",
            failure_message=str(error.get("message", ""))[:300],
            capture_manually=data.get("capture_method") == "manual",
        )

    @staticmethod
    def _call(method, *args):
        """Calls the library, turning its errors into ours with messages safe to show (Stripe's
        own messages mask keys; we don't pass them on for key errors at all)."""
        try:
            return method(*args)
        except stripe.AuthenticationError as exc:
            raise GatewayError(
                "Stripe refused the secret key: it is wrong, revoked or from another account.",
                code="keys_refused",
            ) from exc
        except stripe.PermissionError as exc:
            raise GatewayError(
                "The restricted key lacks a permission this marketplace needs "
                "(PaymentIntents and Refunds, read and write).",
                code="keys_refused",
            ) from exc
        except stripe.IdempotencyError as exc:
            raise GatewayError(
                "Stripe refused a payment key already used for another request.",
                code="reference_taken",
            ) from exc
        except stripe.CardError as exc:
            raise GatewayError(
                exc.user_message or "The card was declined.", code="card_declined"
            ) from exc
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise GatewayUnavailable("Stripe could not be reached. Try again shortly.") from exc
        except stripe.APIError as exc:
            raise GatewayUnavailable("Stripe failed on its side. Try again shortly.") from exc
        except stripe.StripeError as exc:
            raise GatewayError(
                f"Stripe refused the request: {exc.user_message or 'no reason given'}"
            ) from exc
