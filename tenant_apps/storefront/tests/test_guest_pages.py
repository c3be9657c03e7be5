"""Guest pages through Django's test client: the same answers as the API, seen from two
marketplaces, with every user string escaped."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.tests.factories import member_factory
from shared_apps.tenants.selectors import marketplace_url
from tenant_apps.bookings.tests.factories import stay_factory
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.reviews import services as review_services
from tenant_apps.reviews.tests.factories import review_factory
from tests.support.days import day

pytestmark = pytest.mark.django_db


def get(market, path, **params):
    return Client(HTTP_HOST=market.host).get(path, params)


def html(response) -> str:
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


@pytest.fixture
def chalet(alpha, host):
    return listing_factory(
        alpha.tenant, host, title="Chalet Zermatt", city="Zermatt", nightly_price=Decimal("420"),
        amenities=["wifi", "fireplace"], instant_book=True,
    )  # fmt: skip


def test_home_shows_the_marketplaces_listings_and_a_search_form(alpha, bravo, chalet, host):
    listing_factory(bravo.tenant, member_factory(bravo.tenant, Role.HOST).user, title="Bravo Shack")

    page = html(get(alpha, "/"))

    assert "Chalet Zermatt" in page
    assert "Bravo Shack" not in page
    assert 'action="/search/"' in page
    assert 'name="city"' in page


def test_search_filters_like_the_api_and_keeps_the_query_in_links(api, alpha, chalet, host):
    listing_factory(alpha.tenant, host, title="Cheap flat", city="Zermatt", nightly_price=80)
    listing_factory(alpha.tenant, host, title="Geneva loft", city="Geneva")

    page = html(get(alpha, "/search/", city="zermatt", price_min="100", amenities="wifi"))
    api_ids = [
        row["id"]
        for row in api(alpha.host)
        .get("/api/v1/properties", {"city": "zermatt", "price_min": "100", "amenities": "wifi"})
        .json()["results"]
    ]

    assert api_ids == [str(chalet.id)]
    assert f"/stays/{chalet.id}/" in page
    assert "Cheap flat" not in page
    assert "Geneva loft" not in page
    assert "1 stay found" in page
    assert 'value="zermatt"' in page  # the form keeps the query


def test_search_pages_with_cursors_that_carry_the_query(alpha, host):
    for n in range(3):
        listing_factory(alpha.tenant, host, title=f"Flat {n}", city="Basel")

    first = html(get(alpha, "/search/", city="Basel", page_size="2"))
    next_url = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = html(Client(HTTP_HOST=alpha.host).get(next_url))

    assert "city=Basel" in next_url
    assert first.count('class="card"') == 2
    assert second.count('class="card"') == 1
    assert "3 stays found" in second


def test_search_with_bad_input_says_what_to_fix(alpha):
    response = get(alpha, "/search/", check_in=str(day(5)), check_out=str(day(2)))

    assert response.status_code == 400
    assert "check_out must be after check_in." in response.content.decode()


def test_search_with_an_unknown_amenity_names_it(alpha):
    response = get(alpha, "/search/", amenities="jacuzzi-on-the-moon")

    assert response.status_code == 400
    assert "Unknown amenities: jacuzzi-on-the-moon." in response.content.decode()


def test_empty_results_give_advice(alpha):
    page = html(get(alpha, "/search/", city="Atlantis"))

    assert "No stays match this search" in page
    assert "0 stays found" in page


def test_a_garbled_cursor_is_a_clear_400(alpha, chalet):
    response = get(alpha, "/search/", cursor="not-a-cursor")

    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_listing_page_shows_details_reviews_and_replies(alpha, host, chalet):
    guest = member_factory(alpha.tenant, Role.GUEST).user
    review = review_factory(
        alpha.tenant, stay_factory(alpha.tenant, guest, chalet), rating=4,
        comment="Great views, cold pool.",
    )  # fmt: skip
    with tenant_context(alpha.tenant):
        review_services.review_reply(review=review, author=host, reply="Pool heater fixed!")

    page = html(get(alpha, f"/stays/{chalet.id}/"))

    assert "<title>Chalet Zermatt · Alpha Mountain Stays</title>" in page
    assert "Great views, cold pool." in page
    assert "Pool heater fixed!" in page
    assert "Fireplace" in page
    assert "Wi-Fi" in page
    assert "Moderate: cancel up to 5 days before check-in" in page
    assert "CHF" not in page  # alpha's currency is USD
    assert "$420" in page


def test_another_marketplaces_listing_is_a_404_here(alpha, bravo, chalet):
    response = get(bravo, f"/stays/{chalet.id}/")

    assert response.status_code == 404


def test_quote_prices_the_dates_and_links_to_checkout(alpha, chalet):
    page = html(get(alpha, f"/stays/{chalet.id}/", check_in=str(day(10)), check_out=str(day(13))))

    assert "$420.00 × 3 nights" in page
    assert "$1,260.00" in page
    assert f"/checkout/{chalet.id}/?check_in={day(10)}&amp;check_out={day(13)}&amp;guests=1" in (
        page
    )


def test_quote_says_plainly_why_dates_cant_be_booked(alpha, chalet):
    page = html(
        get(
            alpha, f"/stays/{chalet.id}/quote/",
            check_in=str(day(10)), check_out=str(day(11)), guests="40",
        )
    )  # fmt: skip

    assert "These dates can't be booked" in page
    assert "This listing sleeps 1 to 4 guests." in page
    assert "/checkout/" not in page


def test_calendar_partial_switches_months(alpha, chalet):
    later = day(62)
    month = f"{later.year:04d}-{later.month:02d}"

    page = html(get(alpha, f"/stays/{chalet.id}/calendar/", month=month))

    assert 'id="calendar"' in page
    assert f"{later.year}" in page
    assert "<html" not in page  # a partial, for htmx


def test_listing_json_ld_describes_the_lodging_with_offer_and_rating(alpha, chalet):
    guest = member_factory(alpha.tenant, Role.GUEST).user
    review_factory(alpha.tenant, stay_factory(alpha.tenant, guest, chalet), rating=4)

    page = html(get(alpha, f"/stays/{chalet.id}/"))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(block)

    assert data["@type"] == "LodgingBusiness"
    assert data["makesOffer"]["price"] == "420.00"
    assert data["makesOffer"]["priceCurrency"] == "USD"
    assert data["aggregateRating"]["reviewCount"] == 1
    assert data["url"] == f"{marketplace_url(tenant=alpha.tenant)}/stays/{chalet.id}/"


def test_a_listing_titled_with_a_script_renders_as_text(alpha, host):
    evil = listing_factory(
        alpha.tenant, host, title="<script>alert('x')</script>",
        description="</script><script>alert(2)</script>",
    )  # fmt: skip

    home = html(get(alpha, "/"))
    page = html(get(alpha, f"/stays/{evil.id}/"))

    for text in (home, page):
        assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    # In the JSON-LD block too: no "</script>" can close it early.
    assert page.count("</script>") == page.count("<script")


def test_pages_use_renditions_never_the_original_photo(alpha, host):
    from tenant_apps.listings.tests.factories import image_upload

    prop = listing_factory(alpha.tenant, host, title="Big photo")
    with tenant_context(alpha.tenant):
        from tenant_apps.listings import services

        photo = services.photo_add(
            property=prop, upload=image_upload("huge.jpg", "JPEG", (2400, 1600))
        )

    for path in ("/", "/search/", f"/stays/{prop.id}/"):
        page = html(get(alpha, path))
        assert photo.image.url not in page, path
    assert "-400.webp 400w" in html(get(alpha, f"/stays/{prop.id}/"))
    results = html(get(alpha, "/search/"))
    assert ".webp 64w" in results  # the listing's first photo, a small one
    assert 'loading="lazy"' in results


def test_money_follows_the_marketplaces_currency_and_the_locale():
    from tenant_apps.storefront.templatetags.storefront import money, money_whole

    assert money("1260", "USD") == "$1,260.00"
    assert money("1260", "CHF") == "CHF\u00a01,260.00"
    assert money("1260", "JPY") == "¥1,260"
    assert money_whole("420.00", "CHF") == "CHF\u00a0420"


def test_cached_pages_show_a_listing_write_at_once(alpha, host):
    assert "0 stays found" in html(get(alpha, "/search/", city="Basel"))
    assert "Basel flat" not in html(get(alpha, "/"))

    listing_factory(alpha.tenant, host, title="Basel flat", city="Basel")

    assert "1 stay found" in html(get(alpha, "/search/", city="Basel"))
    assert "Basel flat" in html(get(alpha, "/"))


def test_a_host_reply_shows_on_the_listing_page_at_once(
    alpha, host, chalet, django_capture_on_commit_callbacks
):
    guest = member_factory(alpha.tenant, Role.GUEST).user
    review = review_factory(alpha.tenant, stay_factory(alpha.tenant, guest, chalet), rating=5)
    assert "Thanks for staying" not in html(get(alpha, f"/stays/{chalet.id}/"))

    with django_capture_on_commit_callbacks(execute=True), tenant_context(alpha.tenant):
        review_services.review_reply(review=review, author=host, reply="Thanks for staying!")

    assert "Thanks for staying!" in html(get(alpha, f"/stays/{chalet.id}/"))


def test_page_fragments_are_cached_per_marketplace(alpha, bravo, host):
    listing_factory(alpha.tenant, host, title="Only in alpha", city="Basel")

    html(get(alpha, "/search/", city="Basel"))  # alpha's fragment is now cached
    bravo_page = html(get(bravo, "/search/", city="Basel"))

    assert "Only in alpha" not in bravo_page
    assert "0 stays found" in bravo_page
