import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q, Value

from shared_apps.core.models import SingletonModel
from tenant_apps.bookings.constants import (
    DEFAULT_GUEST_FEE_PERCENT,
    DEFAULT_HOST_FEE_PERCENT,
    HOLDING_STATUSES,
    BookingStatus,
)
from tenant_apps.listings.constants import CancellationPolicy
from tenant_apps.listings.models import Property


class BookingPolicy(SingletonModel):
    """The marketplace's booking rules: one row per schema (`BookingPolicy.load()`)."""

    guest_fee_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=DEFAULT_GUEST_FEE_PERCENT
    )
    host_fee_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=DEFAULT_HOST_FEE_PERCENT
    )
    tax_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    booking_window_days = models.PositiveSmallIntegerField(default=365)
    request_expiry_hours = models.PositiveSmallIntegerField(default=24)
    # Offline marketplaces only: guests pay the host when they arrive, so a host's accept
    # confirms the stay at once. Off (the default), an accepted request waits for the
    # marketplace to receive the money (an admin marks it paid).
    collect_payment_on_arrival = models.BooleanField(
        default=False,
        help_text="Offline payments only: guests pay on arrival, so accepting a request "
        "confirms it without waiting for payment.",
    )

    class Meta(SingletonModel.Meta):
        verbose_name_plural = "booking policy"

    def __str__(self) -> str:
        return "Booking policy"


class StayRange(Func):
    """daterange(check_in, check_out, '[)'): the nights of a stay."""

    function = "daterange"
    output_field = DateRangeField()


class Booking(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="bookings")
    guest = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    check_in = models.DateField()
    check_out = models.DateField()
    guests = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=BookingStatus.choices)
    # The price as quoted when booked: later price changes never rewrite it.
    currency = models.CharField(max_length=3)
    nights = models.PositiveSmallIntegerField()
    nightly_price = models.DecimalField(max_digits=10, decimal_places=2)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    cleaning_fee = models.DecimalField(max_digits=10, decimal_places=2)
    guest_fee = models.DecimalField(max_digits=10, decimal_places=2)
    host_fee = models.DecimalField(max_digits=10, decimal_places=2)
    taxes = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    cancellation_policy = models.CharField(max_length=10, choices=CancellationPolicy.choices)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(condition=Q(check_out__gt=F("check_in")), name="bookings_order"),
            models.CheckConstraint(condition=Q(guests__gte=1), name="bookings_guests_gte_1"),
            # No double booking, held by the database: two bookings that hold dates never
            # overlap on one property, whatever races the application loses.
            ExclusionConstraint(
                name="bookings_no_overlap",
                expressions=[
                    ("property", RangeOperators.EQUAL),
                    (StayRange("check_in", "check_out", Value("[)")), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=HOLDING_STATUSES),
            ),
        ]
        indexes = [
            models.Index(fields=["guest", "created"], name="bookings_guest_created"),
            models.Index(fields=["property", "status", "check_in"], name="bookings_prop_status"),
        ]

    def __str__(self) -> str:
        return f"{self.property_id} {self.check_in}..{self.check_out} ({self.status})"


class BookingTransition(models.Model):
    """Every change of a booking's state: who, when, from, to."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, blank=True, default="")
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"
