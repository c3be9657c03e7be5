import uuid

from django.db import models
from django.db.models import Q

from shared_apps.core.models import SingletonModel
from shared_apps.core.tenancy import current_tenant
from tenant_apps.bookings.models import Booking
from tenant_apps.payments.constants import (
    PaymentMethod,
    PaymentStatus,
    Provider,
    RefundStatus,
)


class PaymentSettings(SingletonModel):
    """How this marketplace is paid: its own provider account. One row per schema
    (`PaymentSettings.load()`), offline until an admin sets keys.

    Secrets are stored encrypted (shared_apps.core.crypto) and never leave the server: reads
    show their last four characters only."""

    provider = models.CharField(max_length=10, choices=Provider.choices, default=Provider.OFFLINE)
    publishable_key = models.CharField(max_length=255, blank=True, default="")
    secret_key_encrypted = models.TextField(blank=True, default="")
    secret_key_last4 = models.CharField(max_length=4, blank=True, default="")
    webhook_secret_encrypted = models.TextField(blank=True, default="")
    webhook_secret_last4 = models.CharField(max_length=4, blank=True, default="")
    # Blank until an admin chooses one: the marketplace's own currency (the row is made by a
    # migration, in spare schemas too, before any marketplace is known).
    currency = models.CharField(max_length=3, blank=True, default="")
    # What guests read on an offline marketplace: where to send the money, what to quote.
    offline_instructions = models.TextField(blank=True, default="")
    updated = models.DateTimeField(auto_now=True)

    class Meta(SingletonModel.Meta):
        verbose_name_plural = "payment settings"

    @property
    def charged_currency(self) -> str:
        """The currency payments are made in: the chosen one, else the marketplace's."""
        return self.currency or current_tenant().currency

    def __str__(self) -> str:
        return f"Payments through {self.get_provider_display()}"


class Payment(models.Model):
    """One attempt to collect a booking's price. A booking may have several (a cancelled
    authorization, then a new card)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="payments")
    attempt = models.PositiveSmallIntegerField()
    provider = models.CharField(max_length=10, choices=Provider.choices)
    reference = models.CharField(max_length=255, blank=True, default="")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3)
    method = models.CharField(
        max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.CARD
    )
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    # Authorized at request time, captured when the host accepts: as the provider created
    # it. An attempt never changes its terms; changed terms make a new attempt.
    capture_manually = models.BooleanField(default=False)
    # What reopens the provider's payment page for this attempt, as the provider gave it when
    # the attempt was created: Stripe's client secret (or Paystack's access code), and
    # Paystack's hosted page. Asking to pay again returns them instead of a new attempt.
    client_secret = models.CharField(max_length=255, blank=True, default="")
    redirect_url = models.URLField(max_length=500, blank=True, default="")
    failure_message = models.CharField(max_length=300, blank=True, default="")
    note = models.CharField(max_length=300, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "attempt"], name="payments_one_attempt"),
            models.UniqueConstraint(
                fields=["provider", "reference"],
                condition=~Q(reference=""),
                name="payments_unique_reference",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0, amount_refunded__lte=models.F("amount")),
                name="payments_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} via {self.provider} ({self.status})"


class Refund(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(
        max_length=20, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    reference = models.CharField(max_length=255, blank=True, default="")
    reason = models.CharField(max_length=200, blank=True, default="")
    failure_message = models.CharField(max_length=300, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refunds_gt_0")]

    def __str__(self) -> str:
        return f"{self.amount} back ({self.status})"


class WebhookEvent(models.Model):
    """Every provider event, stored once by its id: a replay finds it and does nothing."""

    provider = models.CharField(max_length=10, choices=Provider.choices)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    outcome = models.CharField(max_length=300, blank=True, default="")
    received = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhooks_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"
