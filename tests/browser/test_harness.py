"""The harness itself: both demo marketplaces are served to a real Chromium, each under its
own brand, and checked with axe-core."""

from __future__ import annotations

from tests.browser.conftest import assert_accessible, computed_style, screenshot


def test_each_demo_marketplace_opens_in_chromium_under_its_own_brand(page, demo):
    alpine, coastal = demo["alpine"], demo["coastal"]

    page.goto(alpine.url("/"))
    alpine_title = page.title()
    alpine_header = computed_style(page, ".site-header", "background-color")
    assert_accessible(page)
    screenshot(page, alpine, "home")

    page.goto(coastal.url("/"))
    coastal_title = page.title()
    coastal_header = computed_style(page, ".site-header", "background-color")
    screenshot(page, coastal, "home")

    assert alpine_title.endswith("· Alpine Lodges")
    assert coastal_title.endswith("· Coastal Cabins")
    assert alpine_header != coastal_header
