"""A marketplace's look as CSS custom properties, derived from its branding.

The theme is served as a stylesheet of its own (`/theme.css?v=<version>`) rather than an
inline <style>, so pages fit a Content-Security-Policy without 'unsafe-inline'. The version
is a digest of the branding, so browsers may cache a theme forever: a change of colours is a
new URL."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from shared_apps.core.colors import (
    WHITE,
    contrast_ratio,
    ensure_contrast,
    mix,
    readable_text_on,
    relative_luminance,
)
from shared_apps.tenants.models import Tenant

# The page background of every storefront page (storefront.css paints it).
PAGE_BACKGROUND = "#ffffff"
SURFACE_BACKGROUND = "#f7f7f8"


@dataclass(frozen=True)
class Theme:
    primary: str
    on_primary: str
    accent: str
    on_accent: str
    # The brand colours as text on the page (links, prices, headings): shades of the brand
    # colours that keep 4.5:1 against the page and surface backgrounds.
    primary_text: str
    accent_text: str
    # A light tint of the primary colour for panels; text on it stays the page's ink.
    primary_tint: str

    def variables(self) -> dict[str, str]:
        return {
            "--brand-primary": self.primary,
            "--brand-on-primary": self.on_primary,
            "--brand-accent": self.accent,
            "--brand-on-accent": self.on_accent,
            "--brand-primary-text": self.primary_text,
            "--brand-accent-text": self.accent_text,
            "--brand-primary-tint": self.primary_tint,
        }


def _text_shade(color: str, *, backgrounds: list[str]) -> str:
    """A shade of `color` readable on every one of the (light) `backgrounds`: darkening
    only raises contrast against light colours, so the darkest background decides."""
    darkest = min(backgrounds, key=relative_luminance)
    return ensure_contrast(color, darkest)


def theme_for(tenant: Tenant) -> Theme:
    primary, accent = tenant.primary_color.lower(), tenant.accent_color.lower()
    tint = mix(primary, WHITE, 0.9)
    backgrounds = [PAGE_BACKGROUND, SURFACE_BACKGROUND, tint]
    return Theme(
        primary=primary,
        on_primary=readable_text_on(primary),
        accent=accent,
        on_accent=readable_text_on(accent),
        primary_text=_text_shade(primary, backgrounds=backgrounds),
        accent_text=_text_shade(accent, backgrounds=backgrounds),
        primary_tint=tint,
    )


def theme_version(tenant: Tenant) -> str:
    """Changes whenever anything the theme, the favicon or the cached home page hero is made
    of changes."""
    parts = (
        tenant.primary_color, tenant.accent_color, tenant.brand_name, tenant.logo_url,
        tenant.hero_url,
    )  # fmt: skip
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class TextPair:
    """One way the stylesheets put brand-derived text on a background."""

    label: str
    text: str
    background: str

    @property
    def ratio(self) -> float:
        return contrast_ratio(self.text, self.background)


def text_pairs(theme: Theme) -> list[TextPair]:
    """Every text/background pair storefront.css and manage.css draw from the theme: the
    header, hero, buttons and active tabs (text on a brand colour), links and prices (brand
    text on the page and on panels), badges and status pills (brand text on the tint)."""
    return [
        TextPair("Header, hero, primary buttons", theme.on_primary, theme.primary),
        TextPair("Accent buttons", theme.on_accent, theme.accent),
        TextPair("Links on the page", theme.primary_text, PAGE_BACKGROUND),
        TextPair("Links on panels", theme.primary_text, SURFACE_BACKGROUND),
        TextPair("Accent text on the page", theme.accent_text, PAGE_BACKGROUND),
        TextPair("Accent text on panels", theme.accent_text, SURFACE_BACKGROUND),
        TextPair("Badges", theme.primary_text, theme.primary_tint),
        TextPair("Accent text on badges", theme.accent_text, theme.primary_tint),
    ]


def minimum_text_contrast(theme: Theme) -> float:
    """The lowest contrast of any text/background pair the theme produces (for tests and
    for the branding page's contrast report)."""
    return min(pair.ratio for pair in text_pairs(theme))
