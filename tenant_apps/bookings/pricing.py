"""The price of a stay: one function, used by the quote endpoint and by every booking."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from tenant_apps.bookings.constants import ZERO_DECIMAL_CURRENCIES
from tenant_apps.bookings.models import BookingPolicy
from tenant_apps.listings.models import Property

HUNDRED = Decimal(100)


def booking_policy() -> BookingPolicy:
    return BookingPolicy.load()


def _money(amount: Decimal, currency: str) -> Decimal:
    unit = Decimal(1) if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return amount.quantize(unit, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PriceBreakdown:
    currency: str
    nights: int
    nightly_price: Decimal
    subtotal: Decimal
    cleaning_fee: Decimal
    guest_fee: Decimal
    host_fee: Decimal
    taxes: Decimal
    total: Decimal

    def as_fields(self) -> dict:
        return asdict(self)


def quote(
    *,
    property: Property,
    check_in: date,
    check_out: date,
    currency: str,
    policy: BookingPolicy | None = None,
) -> PriceBreakdown:
    """nights x nightly price + cleaning fee, the guest's service fee on that, taxes on the
    whole; each amount rounded once, to the currency's minor unit. The host fee is what the
    platform keeps from the host's part (subtotal + cleaning). `policy`: the marketplace's,
    when the caller has it already (read once per request)."""
    policy = policy or booking_policy()
    nights = (check_out - check_in).days
    subtotal = _money(property.nightly_price * nights, currency)
    cleaning = _money(property.cleaning_fee, currency)
    base = subtotal + cleaning
    guest_fee = _money(base * policy.guest_fee_percent / HUNDRED, currency)
    host_fee = _money(base * policy.host_fee_percent / HUNDRED, currency)
    taxes = _money((base + guest_fee) * policy.tax_percent / HUNDRED, currency)
    return PriceBreakdown(
        currency=currency,
        nights=nights,
        nightly_price=property.nightly_price,
        subtotal=subtotal,
        cleaning_fee=cleaning,
        guest_fee=guest_fee,
        host_fee=host_fee,
        taxes=taxes,
        total=base + guest_fee + taxes,
    )
