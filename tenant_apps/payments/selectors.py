"""Reads: the marketplace's payment settings and gateway, payments, host earnings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from shared_apps.accounts.models import User
from shared_apps.core import crypto
from shared_apps.core.errors import ApplicationError
from shared_apps.core.tenancy import current_tenant
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.payments.constants import CAPTURED_STATUSES, PaymentStatus
from tenant_apps.payments.gateways import gateway
from tenant_apps.payments.gateways.base import Gateway, Keys
from tenant_apps.payments.models import Payment, PaymentSettings

MONEY = DecimalField(max_digits=12, decimal_places=2)


def payment_settings() -> PaymentSettings:
    """This marketplace's settings: offline, in its currency, until its admin sets keys."""
    return PaymentSettings.load()


DEFAULT_OFFLINE_INSTRUCTIONS = (
    "{marketplace} takes payment by bank transfer or in cash. Its team will tell you where "
    "to send the money; quote your booking reference {reference} with it. Your stay is "
    "confirmed as soon as {marketplace} records your payment."
)


def offline_instructions(*, settings: PaymentSettings, booking: Booking) -> str:
    """How to pay an offline marketplace: what its admin wrote, or a sensible default until
    they write their own (in the payment settings)."""
    written = settings.offline_instructions.strip()
    if written:
        return written
    return DEFAULT_OFFLINE_INSTRUCTIONS.format(
        marketplace=current_tenant().brand_name, reference=str(booking.pk)[:8].upper()
    )


def settings_keys(settings: PaymentSettings) -> Keys:
    """The decrypted keys: for gateways only, never for a response or a log line."""
    return Keys(
        secret_key=crypto.decrypt(settings.secret_key_encrypted)
        if settings.secret_key_encrypted
        else "",
        publishable_key=settings.publishable_key,
        webhook_secret=crypto.decrypt(settings.webhook_secret_encrypted)
        if settings.webhook_secret_encrypted
        else "",
    )


def marketplace_gateway(settings: PaymentSettings | None = None) -> Gateway:
    settings = settings or payment_settings()
    try:
        keys = settings_keys(settings)
    except crypto.SecretUnreadable as exc:
        # Restored from another deployment, or a key dropped before `rotate_secrets` ran.
        raise ApplicationError(
            "This marketplace's payment keys can't be read (the encryption keys changed); "
            "its admin must enter them again.",
            code="payment_keys_unreadable",
            status=503,
        ) from exc
    return gateway(settings.provider, keys)


def payments_of_booking(*, booking: Booking) -> QuerySet[Payment]:
    return booking.payments.prefetch_related("refunds").order_by("created")


def collected(*, booking: Booking) -> Decimal:
    """What the guest has paid and kept paid: captured payments less their refunds."""
    total = booking.payments.filter(
        status__in=[*CAPTURED_STATUSES, PaymentStatus.REFUNDED]
    ).aggregate(kept=Sum(F("amount") - F("amount_refunded")))["kept"]
    return total or Decimal(0)


def payouts_of_host(
    *, host: User, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[Booking]:
    """The host's completed stays (newest first), each with what the guest paid and what
    the host is owed: the stay's price and cleaning fee, less the host's fee."""
    paid = (
        Payment.objects.filter(
            booking=OuterRef("pk"), status__in=[*CAPTURED_STATUSES, PaymentStatus.REFUNDED]
        )
        .values("booking")
        .annotate(kept=Sum(F("amount") - F("amount_refunded")))
        .values("kept")
    )
    stays = (
        Booking.objects.filter(property__host=host, status=BookingStatus.COMPLETED)
        .select_related("property")
        .annotate(
            guest_paid=Coalesce(Subquery(paid, output_field=MONEY), Decimal(0), output_field=MONEY),
            host_payout=ExpressionWrapper(
                F("subtotal") + F("cleaning_fee") - F("host_fee"), output_field=MONEY
            ),
        )
    )
    if date_from is not None:
        stays = stays.filter(check_out__gte=date_from)
    if date_to is not None:
        stays = stays.filter(check_out__lte=date_to)
    return stays


def payout_totals(stays: QuerySet[Booking]) -> list[dict]:
    """Sums per currency (a marketplace may have changed currency over the years)."""
    return list(
        stays.order_by()
        .values("currency")
        .annotate(
            stays=Count("id"),
            guest_paid=Sum("guest_paid"),
            host_fee=Sum("host_fee"),
            host_payout=Sum("host_payout"),
        )
        .order_by("currency")
    )
