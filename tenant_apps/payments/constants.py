import re

from django.db import models


class Provider(models.TextChoices):
    OFFLINE = "offline", "Offline (cash or bank transfer)"
    STRIPE = "stripe", "Stripe"
    PAYSTACK = "paystack", "Paystack"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    REQUIRES_CAPTURE = "requires_capture", "Authorized, awaiting capture"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    CASH = "cash", "Cash"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"


# How a guest may pay an offline marketplace (and an admin record it).
OFFLINE_METHODS = [
    (PaymentMethod.CASH.value, PaymentMethod.CASH.label),
    (PaymentMethod.BANK_TRANSFER.value, PaymentMethod.BANK_TRANSFER.label),
]


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    # Offline marketplaces pay money back themselves; an admin marks it done.
    REQUIRES_ACTION = "requires_action", "To be paid back by the marketplace"


# A payment only moves forward: provider events may arrive late, twice or out of order, and
# an older state never overwrites a newer one. (A failed card attempt may still succeed: the
# guest can retry on the same payment.)
PAYMENT_MOVES = {
    PaymentStatus.PENDING: {
        PaymentStatus.REQUIRES_CAPTURE, PaymentStatus.SUCCEEDED, PaymentStatus.FAILED,
        PaymentStatus.CANCELLED,
    },
    PaymentStatus.FAILED: {
        PaymentStatus.REQUIRES_CAPTURE, PaymentStatus.SUCCEEDED, PaymentStatus.CANCELLED,
    },
    PaymentStatus.REQUIRES_CAPTURE: {PaymentStatus.SUCCEEDED, PaymentStatus.CANCELLED},
    PaymentStatus.SUCCEEDED: {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED},
    PaymentStatus.PARTIALLY_REFUNDED: {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED},
}  # fmt: skip

# Payments still open for the guest to complete (the same provider payment is reused).
OPEN_STATUSES = (PaymentStatus.PENDING, PaymentStatus.FAILED)
# Payments holding the guest's money, captured or not.
HELD_STATUSES = (
    PaymentStatus.REQUIRES_CAPTURE, PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED,
)  # fmt: skip
CAPTURED_STATUSES = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED)

# Key shapes, checked before anything is saved (the check action asks the provider itself).
KEY_SHAPES = {
    Provider.STRIPE: {
        "secret_key": (
            re.compile(r"^(sk|rk)_(test|live)_[A-Za-z0-9]{16,247}$"),
            "a Stripe secret key (sk_test_…, sk_live_…) or restricted key (rk_…)",
        ),
        "publishable_key": (
            re.compile(r"^pk_(test|live)_[A-Za-z0-9]{16,247}$"),
            "a Stripe publishable key (pk_test_… or pk_live_…)",
        ),
        "webhook_secret": (
            re.compile(r"^whsec_[A-Za-z0-9+/=]{16,200}$"),
            "a Stripe webhook signing secret (whsec_…)",
        ),
    },
    Provider.PAYSTACK: {
        "secret_key": (
            re.compile(r"^sk_(test|live)_[A-Za-z0-9]{20,100}$"),
            "a Paystack secret key (sk_test_… or sk_live_…)",
        ),
        "publishable_key": (
            re.compile(r"^pk_(test|live)_[A-Za-z0-9]{20,100}$"),
            "a Paystack public key (pk_test_… or pk_live_…)",
        ),
    },
}

# Currencies each provider charges in (None: any). Paystack settles in these only.
PROVIDER_CURRENCIES = {
    Provider.OFFLINE: None,
    Provider.STRIPE: None,
    Provider.PAYSTACK: frozenset({"NGN", "GHS", "ZAR", "KES", "USD", "XOF", "EGP", "RWF"}),
}
