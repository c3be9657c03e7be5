"""Whatever colours an admin picks, every text the theme draws keeps 4.5:1 (WCAG AA): over a
grid of primary x accent colours that includes pale yellows, near-blacks, mid-greys and
saturated hues, on every themed text/background pair; and the stylesheets draw brand colour
as text only through the derived text variables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from shared_apps.core.colors import AA_NORMAL_TEXT, contrast_ratio
from shared_apps.tenants.models import Tenant
from tenant_apps.storefront.theme import text_pairs, theme_for

GRID = [
    "#ffffff", "#fffde7", "#fef08a", "#ffff00", "#fde047", "#f59e0b", "#ff0000", "#ec4899",
    "#22c55e", "#14532d", "#06b6d4", "#1e3a8a", "#7c3aed", "#777777", "#808080", "#3f3f46",
    "#111111", "#0a0a0a", "#000000",
]  # fmt: skip

STYLESHEETS = ["storefront/css/storefront.css", "storefront/css/manage.css"]
# Variables that are brand colour *for text*: derived to keep 4.5:1 on their backgrounds.
TEXT_VARIABLES = {
    "--brand-primary-text", "--brand-accent-text", "--brand-on-primary", "--brand-on-accent",
}  # fmt: skip


@pytest.mark.parametrize("primary", GRID)
def test_every_themed_text_pair_keeps_4_5_to_1_for_any_accent(primary):
    failures = []
    for accent in GRID:
        theme = theme_for(Tenant(primary_color=primary, accent_color=accent))
        failures += [
            f"{primary}/{accent} {pair.label}: {pair.ratio:.2f}"
            for pair in text_pairs(theme)
            if pair.ratio < AA_NORMAL_TEXT
        ]
    assert not failures, "\n".join(failures)


def test_pale_yellow_and_near_black_get_readable_text_and_keep_their_hue():
    pale = theme_for(Tenant(primary_color="#fef08a", accent_color="#0a0a0a"))

    assert contrast_ratio(pale.on_primary, pale.primary) >= AA_NORMAL_TEXT
    assert pale.on_primary != "#ffffff"  # dark text on the pale header
    assert pale.on_accent == "#ffffff"  # light text on the near-black button
    # Links in the pale brand colour are a darker shade of it, not plain black.
    red, green, blue = (int(pale.primary_text[i : i + 2], 16) for i in (1, 3, 5))
    assert red > blue
    assert green > blue


def test_stylesheets_draw_brand_colour_as_text_only_through_the_derived_variables():
    offenders = []
    for name in STYLESHEETS:
        css = (Path(settings.BASE_DIR) / "platform" / "static" / name).read_text()
        for match in re.finditer(r"(?<![-\w])color:\s*var\((--brand-[\w-]+)\)", css):
            if match.group(1) not in TEXT_VARIABLES:
                offenders.append(f"{name}: {match.group(0)}")
    assert not offenders, offenders
