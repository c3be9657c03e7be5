from decimal import Decimal

from django.db import models


class BookingStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", "Pending payment"
    REQUESTED = "requested", "Requested"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"


# Bookings in these states hold their dates: no other booking may overlap them.
HOLDING_STATUSES = (
    BookingStatus.PENDING_PAYMENT,
    BookingStatus.REQUESTED,
    BookingStatus.CONFIRMED,
)

# States in which a booking gave its dates back: money held for it goes back to the guest.
RELEASED_STATUSES = (BookingStatus.DECLINED, BookingStatus.EXPIRED, BookingStatus.CANCELLED)

# The state machine: from -> the states it may move to.
TRANSITIONS = {
    BookingStatus.PENDING_PAYMENT: {
        BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.EXPIRED,
    },
    # Accepted with nothing authorized: the guest pays, then it is confirmed.
    BookingStatus.REQUESTED: {
        BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT, BookingStatus.DECLINED,
        BookingStatus.EXPIRED, BookingStatus.CANCELLED,
    },
    BookingStatus.CONFIRMED: {BookingStatus.CANCELLED, BookingStatus.COMPLETED},
}  # fmt: skip

DEFAULT_GUEST_FEE_PERCENT = Decimal("14")
DEFAULT_HOST_FEE_PERCENT = Decimal("3")
# Currencies without minor units (ISO 4217 exponent 0) are rounded to whole units.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
     "VUV", "XAF", "XOF", "XPF"}
)  # fmt: skip
