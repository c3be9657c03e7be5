"""Error codes of payments and providers.

Published with every app's codes as `ErrorCode` in the OpenAPI documents and the
GraphQL schema (shared_apps.core.errors)."""

from django.db import models


class PaymentsErrorCode(models.TextChoices):
    ALREADY_PAID = "already_paid", "The booking is already paid"
    BAD_SIGNATURE = "bad_signature", "The webhook signature does not verify"
    CARD_DECLINED = "card_declined", "The card was declined"
    INVALID_PAYLOAD = "invalid_payload", "The webhook body is not the documented shape"
    KEYS_REFUSED = "keys_refused", "The provider refused the keys"
    NOT_AWAITING_PAYMENT = "not_awaiting_payment", "The booking is not awaiting payment"
    NOT_OFFLINE = "not_offline", "The marketplace does not take offline payments"
    PAYMENT_KEYS_UNREADABLE = "payment_keys_unreadable", "The stored keys can't be decrypted"
    PROVIDER_REFUSED = "provider_refused", "The provider refused the request"
    PROVIDER_UNAVAILABLE = "provider_unavailable", "The provider can't be reached"
    REFERENCE_TAKEN = "reference_taken", "The payment reference is taken"
    WRONG_PROVIDER = "wrong_provider", "The event is for another provider"
    UNSUPPORTED_CURRENCY = (
        "unsupported_currency",
        "The provider doesn't take this currency",
    )
