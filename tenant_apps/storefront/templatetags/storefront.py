"""Template filters of the storefront: money and dates in the marketplace's currency and the
visitor's locale, and responsive images from photo renditions."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import _json_script_escapes, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, to_locale

register = template.Library()


def _locale() -> str:
    return to_locale(get_language() or "en-us")


def _spaced(formatted: str) -> str:
    """CLDR puts a space between a letter code and the digits ("CHF 420"), which Babel's
    patterns leave out ("CHF420"); symbols ("$420") stay as they are."""
    return re.sub(r"^([A-Za-z]{2,})(?=[\d-])", "\\1\u00a0", formatted)


@register.filter
def money(amount, currency: str) -> str:
    """1234.5, "CHF" -> "CHF 1,234.50" (digits, symbol and separators by locale)."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return _spaced(format_currency(value, currency, locale=_locale()))


@register.filter
def money_whole(amount, currency: str) -> str:
    """Like money, without minor units: for nightly prices on cards ("CHF 420")."""
    if amount in (None, ""):
        return ""
    value = Decimal(str(amount)).quantize(Decimal(1))
    return _spaced(
        format_currency(value, currency, locale=_locale(), format="¤#,##0", currency_digits=False)
    )


@register.filter
def day(value, style: str = "medium") -> str:
    """A date in the visitor's locale ("Mar 4, 2027"); accepts ISO strings from API bodies."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, format=style, locale=_locale())


@register.filter
def rating(value) -> str:
    if value in (None, ""):
        return ""
    return format_decimal(Decimal(str(value)), format="0.0", locale=_locale())


@register.filter
def srcset(photo: dict) -> str:
    """ "url 400w, url 800w, …" from a photo's renditions (API shape)."""
    return ", ".join(f"{r['url']} {r['width']}w" for r in photo.get("renditions") or [])


@register.filter
def small_src(photo: dict) -> str:
    """The narrowest rendition as the fallback src (a page never needs the original); the
    original only for a photo stored before renditions existed."""
    renditions = photo.get("renditions") or []
    return renditions[0]["url"] if renditions else photo.get("url", "")


@register.filter
def medium_src(photo: dict) -> str:
    renditions = photo.get("renditions") or []
    wide = [r for r in renditions if r["width"] >= 800]
    if wide:
        return wide[0]["url"]
    return renditions[-1]["url"] if renditions else photo.get("url", "")


@register.filter
def ld_json(data) -> str:
    """A JSON-LD block. It is data (type application/ld+json), so browsers never run it and a
    CSP without inline scripts allows it; <, > and & are escaped as json_script does, so no
    text in it can close the element."""
    encoded = json.dumps(data, cls=DjangoJSONEncoder).translate(_json_script_escapes)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(encoded))  # noqa: S308


@register.filter
def booking_status(value: str) -> str:
    """A booking state's name for people ("pending_payment" -> "Pending payment")."""
    from tenant_apps.bookings.constants import BookingStatus

    try:
        return str(BookingStatus(value).label)
    except ValueError:
        return value.replace("_", " ")
