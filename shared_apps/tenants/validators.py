"""Input rules for marketplaces, each failing with a message that names the rule."""

from __future__ import annotations

import zoneinfo

from django.conf import settings

from shared_apps.core.errors import invalid_field
from shared_apps.tenants.constants import (
    COLOR_RE,
    CURRENCIES,
    DOMAIN_RE,
    RESERVED_SLUGS,
    SLUG_RE,
    SLUG_RULE,
)


def validate_slug(slug: str) -> str:
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise invalid_field("slug", f"Invalid slug {slug!r}. {SLUG_RULE}", "invalid_slug")
    if slug in RESERVED_SLUGS:
        raise invalid_field(
            "slug", f"The slug {slug!r} is reserved; choose another.", "reserved_slug"
        )
    return slug


def normalize_domain(domain: str) -> str:
    value = (domain or "").strip().lower().rstrip(".")
    if not DOMAIN_RE.match(value):
        raise invalid_field(
            "domains",
            f"{domain!r} is not a valid host name (like stays.example.com, without "
            "scheme, port or path).",
            "invalid_domain",
        )
    platform = settings.PLATFORM_DOMAIN
    if value == platform or value.endswith("." + platform):
        raise invalid_field(
            "domains",
            f"{value!r} is under the platform domain {platform!r}; marketplaces get their "
            "subdomain automatically. Custom domains must be your own.",
            "invalid_domain",
        )
    return value


def validate_color(field: str, value: str) -> str:
    if not COLOR_RE.match(value or ""):
        raise invalid_field(field, f"{value!r} is not a colour like #1f6feb.")
    return value.lower()


def validate_currency(value: str) -> str:
    code = (value or "").upper()
    if code not in CURRENCIES:
        raise invalid_field("currency", f"{value!r} is not an ISO 4217 currency code like USD.")
    return code


def validate_timezone(value: str) -> str:
    if value not in zoneinfo.available_timezones():
        raise invalid_field("timezone", f"{value!r} is not an IANA time zone like Europe/Paris.")
    return value
