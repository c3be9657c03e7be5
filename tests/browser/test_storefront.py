"""Guests in a real browser: search, listing, quote; the two demo marketplaces side by side;
axe-core over every guest page type of both brands, with a screenshot of each."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context

from shared_apps.core.tenancy import marketplace_today
from tenant_apps.listings.models import Property
from tenant_apps.storefront.demo import DEMO_PASSWORD, LISTINGS, SHARED_GUEST_EMAIL
from tests.browser.conftest import assert_accessible, computed_style, screenshot


def _listing(store, title: str) -> Property:
    with tenant_context(store.tenant):
        return Property.objects.get(title=title)


def _dates(store, ahead: int, nights: int) -> tuple[str, str]:
    with tenant_context(store.tenant):
        start = marketplace_today() + timedelta(days=ahead)
    return start.isoformat(), (start + timedelta(days=nights)).isoformat()


def test_a_guest_searches_opens_a_listing_and_prices_dates(page, demo):
    alpine = demo["alpine"]
    check_in, check_out = _dates(alpine, 60, 3)

    page.goto(alpine.url("/"))
    page.get_by_label("Where").fill("Zermatt")
    page.get_by_role("button", name="Search").click()

    assert page.get_by_role("heading", name="Stays in Zermatt").is_visible()
    assert page.locator("#results-count").inner_text() == "1 stay found"
    assert "city=Zermatt" in page.url  # the query stays in the URL, to share
    page.get_by_role("link", name="Chalet Edelweiss with Matterhorn view").click()

    assert page.title() == "Chalet Edelweiss with Matterhorn view · Alpine Lodges"
    page.get_by_label("Check-in").fill(check_in)
    page.get_by_label("Check-out").fill(check_out)
    page.get_by_role("button", name="Check price").click()
    breakdown = page.locator(".breakdown")
    breakdown.wait_for()
    assert "CHF\u00a0420.00 × 3 nights" in breakdown.inner_text()
    assert "Total" in breakdown.inner_text()
    book = page.get_by_role("link", name="Book")
    chalet = _listing(alpine, "Chalet Edelweiss with Matterhorn view")
    assert book.get_attribute("href") == (
        f"/checkout/{chalet.id}/?check_in={check_in}&check_out={check_out}&guests=1"
    )
    screenshot(page, alpine, "listing-quote")

    # The demo guest's upcoming trip holds these nights.
    taken_in, taken_out = _dates(alpine, 21, 3)
    page.get_by_label("Check-in").fill(taken_in)
    page.get_by_label("Check-out").fill(taken_out)
    page.get_by_role("button", name="Check price").click()
    page.locator(".unavailable").wait_for()
    assert "These dates are already booked." in page.locator(".unavailable").inner_text()
    screenshot(page, alpine, "listing-unavailable")
    assert page.get_by_role("link", name="Book").count() == 0


def test_search_and_quote_work_without_javascript(chromium_browser, demo):
    coastal = demo["coastal"]
    check_in, check_out = _dates(coastal, 70, 2)
    context = chromium_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(coastal.url("/search/"))
        page.get_by_label("Instant book only").check()
        page.get_by_role("button", name="Show stays").click()
        titles = page.locator(".card__title").all_inner_texts()
        instant = sorted(row[0] for row in LISTINGS["coastal"] if row[13])
        assert sorted(titles) == instant
        assert "instant_book=true" in page.url

        page.get_by_role("link", name="Cannery Row studio").click()
        page.get_by_label("Check-in").fill(check_in)
        page.get_by_label("Check-out").fill(check_out)
        page.get_by_role("button", name="Check price").click()
        assert f"check_in={check_in}" in page.url
        assert "$160.00 × 2 nights" in page.locator(".breakdown").inner_text()
    finally:
        context.close()


def test_calendar_months_switch_in_place(page, demo):
    alpine = demo["alpine"]
    chalet = _listing(alpine, "Chalet Edelweiss with Matterhorn view")
    page.goto(alpine.url(f"/stays/{chalet.id}/"))
    first = page.locator("#calendar-month").inner_text()
    url = page.url

    page.get_by_role("link", name="Next month →").click()
    page.wait_for_function(
        "first => document.querySelector('#calendar-month').innerText !== first", arg=first
    )

    assert page.url == url  # swapped by htmx, no page load
    assert page.locator("#calendar-month").inner_text() != first


def test_two_marketplaces_side_by_side_never_mix(chromium_browser, demo):
    alpine, coastal = demo["alpine"], demo["coastal"]
    context = chromium_browser.new_context()
    page = context.new_page()
    try:
        seen = {}
        for store in (alpine, coastal):
            page.goto(store.url("/"))
            home = page.content()
            page.goto(store.url("/search/"))
            seen[store.slug] = {
                "header": computed_style(page, ".site-header", "background-color"),
                "button": computed_style(page, ".button", "background-color"),
                "name": page.locator(".brand__name").inner_text(),
                "logo": page.locator(".brand__logo").get_attribute("src"),
                "pages": home + page.content(),
            }

        assert seen["alpine"]["header"] == "rgb(20, 83, 45)"  # #14532d
        assert seen["coastal"]["header"] == "rgb(30, 58, 138)"  # #1e3a8a
        assert seen["alpine"]["button"] != seen["coastal"]["button"]
        assert (seen["alpine"]["name"], seen["coastal"]["name"]) == (
            "Alpine Lodges",
            "Coastal Cabins",
        )
        assert "/tenants/alpine/" in seen["alpine"]["logo"]
        assert "/tenants/coastal/" in seen["coastal"]["logo"]
        for slug, other in (("alpine", "coastal"), ("coastal", "alpine")):
            for row in LISTINGS[other]:
                assert row[0] not in seen[slug]["pages"], (slug, row[0])

        # A session on one marketplace is not a session on the other.
        page.goto(alpine.url("/login/"))
        page.get_by_label("Email").fill(SHARED_GUEST_EMAIL)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        assert page.get_by_role("button", name=re.compile("Log out")).is_visible()
        page.goto(coastal.url("/"))
        assert page.get_by_role("link", name="Log in").is_visible()
        assert page.get_by_role("button", name=re.compile("Log out")).count() == 0
        cookies = {(c["name"], c["domain"]) for c in context.cookies()}
        assert ("sessionid", "alpine.localhost") in cookies
        assert not any(name == "sessionid" and "coastal" in domain for name, domain in cookies)
    finally:
        context.close()


PAGE_TYPES = ["home", "search", "search-empty", "listing", "login", "not-found"]


@pytest.mark.parametrize("slug", ["alpine", "coastal"])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_guest_page_type_is_accessible_in_both_brands(page, demo, slug, kind):
    store = demo[slug]
    first_title = LISTINGS[slug][0][0]
    paths = {
        "home": "/",
        "search": "/search/?ordering=price",
        "search-empty": "/search/?city=Atlantis",
        "listing": f"/stays/{_listing(store, first_title).id}/",
        "login": "/login/",
        "not-found": "/no-such-page/",
    }

    response = page.goto(store.url(paths[kind]))

    assert response.status == (404 if kind == "not-found" else 200)
    assert page.title().endswith(f" · {store.name}")
    assert_accessible(page, label=f"{slug} {kind}")
    screenshot(page, store, kind)


def test_a_results_page_never_downloads_a_full_size_photo(page, demo):
    alpine = demo["alpine"]
    photos: list[str] = []
    page.on(
        "request",
        lambda request: photos.append(request.url) if "/properties/" in request.url else None,
    )

    page.goto(alpine.url("/search/"))
    page.mouse.wheel(0, 5000)  # bring every lazy card image into view
    page.wait_for_load_state("networkidle")

    assert len(photos) >= len(LISTINGS["alpine"])
    assert all(re.search(r"-\d+\.webp$", url) for url in photos), photos
