"""Money for people: an amount in its currency, written the way the page's language writes
it (CHF 1,234.50, $1,234.50, 1.234,50 €)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from django import template
from django.utils.translation import get_language, to_locale

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    if amount in (None, ""):
        return ""
    return format_currency(Decimal(amount), currency, locale=to_locale(get_language() or "en-us"))


@register.filter
def booking_status(value: str) -> str:
    """A booking state's name for people ("pending_payment" -> "Pending payment")."""
    from tenant_apps.bookings.constants import BookingStatus

    try:
        return str(BookingStatus(value).label)
    except ValueError:
        return value.replace("_", " ")
