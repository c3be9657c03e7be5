"""Listings: hosts manage their own, guests search published ones; seen from two
marketplaces."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from tenant_apps.listings import services
from tenant_apps.listings.models import PropertyPhoto
from tenant_apps.listings.tests.factories import COMPLETE, image_upload, listing_factory
from tests.support.days import day

PROPERTIES = "/api/v1/properties"


@pytest.fixture
def listing(alpha, host):
    return listing_factory(alpha.tenant, host)


def _payload(**overrides):
    return {**{k: str(v) for k, v in COMPLETE.items()}, **overrides}


def _ids(response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


def test_a_host_creates_a_draft_listing(api, alpha, host):
    response = api(alpha.host, host).post(
        PROPERTIES, _payload(amenities=["wifi", "kitchen"], cleaning_fee="25.50")
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["amenities"] == ["kitchen", "wifi"]
    assert body["nightly_price"] == "120.00"
    assert body["currency"] == "USD"
    assert body["host"]["id"] == str(host.id)


def test_guests_and_anonymous_callers_cannot_create_listings(api, alpha, make_member):
    guest = make_member(alpha.tenant, Role.GUEST).user

    assert api(alpha.host).post(PROPERTIES, _payload()).status_code == 401
    assert api(alpha.host, guest).post(PROPERTIES, _payload()).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nightly_price": "-5"}, "nightly_price"),
        ({"nightly_price": "99999999"}, "nightly_price"),
        ({"cleaning_fee": "-1"}, "cleaning_fee"),
        ({"min_nights": 10, "max_nights": 3}, "min_nights"),
        ({"amenities": ["wifi", "teleporter"]}, "amenities"),
        ({"latitude": "45.1", "longitude": None}, "latitude"),
        ({"latitude": "91"}, "latitude"),
        ({"country": "France"}, "country"),
        ({"max_guests": 0}, "max_guests"),
        ({"property_type": "castle"}, "property_type"),
    ],
)
def test_bad_listing_input_is_a_400_naming_the_field(api, alpha, host, overrides, field):
    response = api(alpha.host, host).post(PROPERTIES, _payload(**overrides))

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_publishing_says_what_is_missing(api, alpha, host):
    draft = api(alpha.host, host).post(PROPERTIES, {"title": "Just a title"}).json()

    response = api(alpha.host, host).post(f"{PROPERTIES}/{draft['id']}/publish")

    assert response.status_code == 400
    assert response.json()["code"] == "incomplete"
    assert set(response.json()["fields"]) == {
        "nightly_price",
        "street",
        "city",
        "country",
        "photos",
    }


def test_a_complete_listing_publishes_and_is_found(api, alpha, host):
    draft = listing_factory(alpha.tenant, host, publish=False)

    published = api(alpha.host, host).post(f"{PROPERTIES}/{draft.id}/publish")

    assert published.json()["status"] == "published"
    assert _ids(api(alpha.host).get(PROPERTIES)) == [str(draft.id)]


def test_drafts_are_visible_to_their_host_only(api, alpha, host, make_member):
    draft = listing_factory(alpha.tenant, host, publish=False)
    other = make_member(alpha.tenant, Role.HOST).user

    assert api(alpha.host, host).get(f"{PROPERTIES}/{draft.id}").status_code == 200
    assert api(alpha.host, other).get(f"{PROPERTIES}/{draft.id}").status_code == 404
    assert api(alpha.host).get(f"{PROPERTIES}/{draft.id}").status_code == 404
    assert _ids(api(alpha.host).get(PROPERTIES)) == []
    mine = api(alpha.host, host).get("/api/v1/me/properties").json()["results"]
    assert [row["id"] for row in mine] == [str(draft.id)]


def test_only_the_owner_edits_unlists_and_blocks(api, alpha, listing, make_member):
    other = make_member(alpha.tenant, Role.HOST).user
    client = api(alpha.host, other)
    url = f"{PROPERTIES}/{listing.id}"

    assert client.patch(url, {"title": "Mine now"}).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.post(f"{url}/blocks", {"start": day(3), "end": day(5)}).status_code == 404
    assert (
        client.post(f"{url}/photos", {"image": image_upload()}, format="multipart").status_code
        == 404
    )
    listing.refresh_from_db()
    assert listing.title == COMPLETE["title"]


def test_unlisting_hides_a_listing_from_search(api, alpha, host, listing):
    response = api(alpha.host, host).delete(f"{PROPERTIES}/{listing.id}")

    assert response.status_code == 204  # as the OpenAPI document says
    assert response.content == b""
    assert _ids(api(alpha.host).get(PROPERTIES)) == []
    own = api(alpha.host, host).get(f"{PROPERTIES}/{listing.id}")
    assert own.json()["status"] == "unlisted"  # kept: its host still sees it


def test_a_published_listing_must_stay_complete(api, alpha, host, listing):
    response = api(alpha.host, host).patch(f"{PROPERTIES}/{listing.id}", {"title": ""})

    assert response.status_code == 400
    assert "title" in response.json()["fields"]


def test_photos_are_checked_by_content_not_name(api, alpha, host, listing):
    client = api(alpha.host, host)
    url = f"{PROPERTIES}/{listing.id}/photos"
    text_as_jpeg = SimpleUploadedFile("beach.jpg", b"not really a picture", "image/jpeg")
    gif = image_upload("anim.gif", "GIF")

    assert client.post(url, {"image": text_as_jpeg}, format="multipart").status_code == 400
    rejected_gif = client.post(url, {"image": gif}, format="multipart")
    assert rejected_gif.status_code == 400
    assert "image" in rejected_gif.json()["fields"]
    webp = client.post(url, {"image": image_upload("x.bin", "WEBP")}, format="multipart")
    assert webp.status_code == 201
    assert webp.json()["url"].endswith(".webp")
    assert webp.json()["position"] == 1


def test_oversized_photos_are_refused(api, alpha, host, listing, monkeypatch):
    monkeypatch.setattr(services, "MAX_PHOTO_BYTES", 100)

    response = api(alpha.host, host).post(
        f"{PROPERTIES}/{listing.id}/photos", {"image": image_upload()}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "photo_too_large"


def test_a_deleted_photo_really_goes(api, alpha, host, listing, django_capture_on_commit_callbacks):
    with tenant_context(alpha.tenant):
        photo = PropertyPhoto.objects.get(property=listing)
        storage, name = photo.image.storage, photo.image.name
    assert name.startswith(f"tenants/alpha/properties/{listing.id}/")
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        response = api(alpha.host, host).delete(f"{PROPERTIES}/{listing.id}/photos/{photo.id}")

    assert response.status_code == 204
    assert not storage.exists(name)


def _search(api, alpha, **params):
    response = api(alpha.host).get(PROPERTIES, params)
    assert response.status_code == 200, response.json()
    return _ids(response)


def test_search_filters(api, alpha, host):
    make = lambda **f: str(listing_factory(alpha.tenant, host, **f).id)  # noqa: E731
    annecy = make(amenities=["wifi", "pool"], instant_book=True)
    paris = make(
        city="Paris", latitude=Decimal("48.8566"), longitude=Decimal("2.3522"),
        nightly_price=Decimal("300"), max_guests=8, bedrooms=4, property_type="loft",
        amenities=["wifi"],
    )  # fmt: skip
    geneva = make(
        city="Geneva", country="CH", latitude=Decimal("46.2044"), longitude=Decimal("6.1432"),
        nightly_price=Decimal("80"),
    )  # fmt: skip

    assert _search(api, alpha, city="paris") == [paris]
    assert _search(api, alpha, country="ch") == [geneva]
    assert set(_search(api, alpha, price_min="100", price_max="200")) == {annecy}
    assert _search(api, alpha, guests=6) == [paris]
    assert _search(api, alpha, bedrooms=3) == [paris]
    assert _search(api, alpha, property_type="loft") == [paris]
    assert _search(api, alpha, amenities="wifi,pool") == [annecy]
    assert set(_search(api, alpha, amenities="wifi")) == {annecy, paris}
    assert _search(api, alpha, instant_book="true") == [annecy]
    # Annecy to Geneva is about 35 km; Paris is 450 km away.
    near = _search(api, alpha, latitude="45.899", longitude="6.129", radius_km=50)
    assert near == [annecy, geneva]  # nearest first when a point is given
    assert _search(api, alpha, latitude="45.899", longitude="6.129", radius_km=5) == [annecy]


def test_search_orderings(api, alpha, host):
    cheap = str(listing_factory(alpha.tenant, host, nightly_price=Decimal("50")).id)
    mid = str(listing_factory(alpha.tenant, host, nightly_price=Decimal("100")).id)
    dear = str(listing_factory(alpha.tenant, host, nightly_price=Decimal("200")).id)

    assert _search(api, alpha, ordering="price") == [cheap, mid, dear]
    assert _search(api, alpha, ordering="-price") == [dear, mid, cheap]
    assert _search(api, alpha, ordering="newest") == [dear, mid, cheap]
    assert set(_search(api, alpha, ordering="rating")) == {cheap, mid, dear}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"ordering": "cheapest"}, "ordering"),
        ({"radius_km": "10"}, "radius_km"),
        ({"ordering": "distance"}, "ordering"),
        ({"latitude": "45"}, "latitude"),
        ({"amenities": "wifi,teleporter"}, "amenities"),
        ({"price_min": "-1"}, "price_min"),
        ({"price_min": "200", "price_max": "100"}, "price_max"),
        ({"check_in": "2099-01-05", "check_out": "2099-01-05"}, "check_out"),
        ({"check_in": "2099-01-05"}, "check_out"),
        ({"check_in": "2001-01-05", "check_out": "2001-01-07"}, "check_in"),
        ({"guests": "many"}, "guests"),
    ],
)
def test_bad_search_input_is_a_400_naming_the_field(api, alpha, params, field):
    response = api(alpha.host).get(PROPERTIES, params)

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_dates_exclude_listings_blocked_during_the_stay(api, alpha, host):
    blocked = listing_factory(alpha.tenant, host)
    free = listing_factory(alpha.tenant, host)
    with tenant_context(alpha.tenant):
        services.block_create(property=blocked, start=day(10), end=day(15))

    def free_for(check_in, check_out):
        return set(_search(api, alpha, check_in=day(check_in), check_out=day(check_out)))

    assert free_for(12, 14) == {str(free.id)}  # inside the block
    assert free_for(8, 11) == {str(free.id)}  # overlapping its start
    assert free_for(14, 16) == {str(free.id)}  # overlapping its end
    # back to back: leaving the day the block starts, arriving the day it ends
    assert free_for(7, 10) == {str(free.id), str(blocked.id)}
    assert free_for(15, 18) == {str(free.id), str(blocked.id)}


def test_stay_length_must_fit_the_listings_nights(api, alpha, host):
    weekly = listing_factory(alpha.tenant, host, min_nights=7)

    assert _search(api, alpha, check_in=day(5), check_out=day(7)) == []
    assert _search(api, alpha, check_in=day(5), check_out=day(12)) == [str(weekly.id)]


def test_cursor_pages_cover_every_listing_once(api, alpha, host):
    made = {
        str(listing_factory(alpha.tenant, host, nightly_price=Decimal(50 + n)).id) for n in range(5)
    }
    seen, url, params = [], PROPERTIES, {"page_size": 2, "ordering": "price"}
    client = api(alpha.host)
    while url:
        body = client.get(url, params).json()
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], None

    assert len(seen) == 5
    assert set(seen) == made


def test_search_and_detail_are_never_stale_after_a_write(api, alpha, host, listing):
    client = api(alpha.host)
    detail = f"{PROPERTIES}/{listing.id}"
    assert client.get(PROPERTIES).json()["results"][0]["nightly_price"] == "120.00"
    assert client.get(detail).json()["title"] == COMPLETE["title"]

    api(alpha.host, host).patch(detail, {"nightly_price": "135.00", "title": "Renamed"})

    assert client.get(PROPERTIES).json()["results"][0]["nightly_price"] == "135.00"
    assert client.get(detail).json()["title"] == "Renamed"


def test_the_calendar_shows_blocks_and_follows_changes(api, alpha, host, listing):
    month = day(40).strftime("%Y-%m")
    url = f"{PROPERTIES}/{listing.id}/calendar"
    before = api(alpha.host).get(url, {"month": month}).json()
    assert {day["status"] for day in before["days"]} == {"free"}

    first = date.fromisoformat(f"{month}-01")
    block = api(alpha.host, host).post(
        f"{PROPERTIES}/{listing.id}/blocks",
        {"start": first + timedelta(days=2), "end": first + timedelta(days=4)},
    )
    after = api(alpha.host).get(url, {"month": month}).json()["days"]

    assert block.status_code == 201
    assert [day["status"] for day in after[:5]] == ["free", "free", "blocked", "blocked", "free"]
    assert api(alpha.host).get(url, {"month": "2027-13"}).status_code == 400


def test_overlapping_blocks_are_a_409_and_blocks_can_be_removed(api, alpha, host, listing):
    client = api(alpha.host, host)
    url = f"{PROPERTIES}/{listing.id}/blocks"
    first = client.post(url, {"start": day(5), "end": day(9)}).json()

    overlap = client.post(url, {"start": day(8), "end": day(12)})
    backwards = client.post(url, {"start": day(20), "end": day(19)})
    removed = client.delete(f"{url}/{first['id']}")

    assert overlap.status_code == 409
    assert backwards.status_code == 400
    assert removed.status_code == 204
    assert client.get(url).json() == []


def test_marketplaces_never_see_each_others_listings(api, alpha, bravo, host, make_member):
    alpha_listing = listing_factory(alpha.tenant, host)
    bravo_host = make_member(bravo.tenant, Role.HOST).user
    bravo_listing = listing_factory(bravo.tenant, bravo_host, title="Beach hut")

    assert _ids(api(alpha.host).get(PROPERTIES)) == [str(alpha_listing.id)]
    assert _ids(api(bravo.host).get(PROPERTIES)) == [str(bravo_listing.id)]
    assert api(bravo.host).get(f"{PROPERTIES}/{alpha_listing.id}").status_code == 404
    assert (
        api(bravo.host)
        .get(f"{PROPERTIES}/{alpha_listing.id}/calendar", {"month": "2030-01"})
        .status_code
        == 404
    )
    photo_upload = api(bravo.host, bravo_host).post(
        f"{PROPERTIES}/{alpha_listing.id}/photos", {"image": image_upload()}, format="multipart"
    )
    assert photo_upload.status_code == 404
    # a host of alpha holds no power on bravo, even with a bravo membership
    assert (
        api(bravo.host, bravo_host)
        .patch(f"{PROPERTIES}/{alpha_listing.id}", {"title": "x"})
        .status_code
        == 404
    )


def test_search_and_detail_run_the_same_queries_for_1_and_for_many(api, alpha, host):
    def queries(path, **params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api(alpha.host).get(path, params).status_code == 200
        return len(captured)

    listing_factory(alpha.tenant, host, amenities=["wifi"])
    api(alpha.host).get("/api/v1/amenities")  # the process's host map now knows alpha
    one = queries(PROPERTIES, page_size=50, city="Annecy")
    for _ in range(9):
        listing_factory(alpha.tenant, host, amenities=["wifi", "pool"])
    many = queries(PROPERTIES, page_size=50, city="annecy")  # another key: not cached

    assert one == many


def test_search_uses_the_indexes_it_needs(alpha, host):
    """With a few thousand listings spread over the world, the plans of selective searches
    read an index instead of scanning the table."""
    import random

    from tenant_apps.listings.models import Property
    from tenant_apps.listings.selectors import SearchFilters, property_search

    rng = random.Random(7)
    cities = [f"Town{n}" for n in range(300)]
    with tenant_context(alpha.tenant), connection.cursor() as cursor:
        Property.objects.bulk_create(
            Property(
                host=host, title="x", status="published", city=rng.choice(cities),
                latitude=Decimal(rng.uniform(-60, 60)).quantize(Decimal("0.000001")),
                longitude=Decimal(rng.uniform(-170, 170)).quantize(Decimal("0.000001")),
                nightly_price=Decimal(rng.randint(20, 2000)),
            )
            for _ in range(5000)
        )  # fmt: skip
        cursor.execute("ANALYZE listings_property")
        plans = {}
        for name, filters in {
            "city": SearchFilters(city="Town7"),
            "radius": SearchFilters(
                latitude=Decimal("45.9"), longitude=Decimal("6.1"), radius_km=20
            ),
            "price": SearchFilters(price_min=Decimal("50"), price_max=Decimal("52")),
        }.items():
            sql, params = property_search(filters=filters).query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())

    assert "listings_lat_lng" in plans["radius"], plans["radius"]
    assert "listings_status_price" in plans["price"], plans["price"]
    for name, plan in plans.items():
        assert "Seq Scan on listings_property" not in plan, (name, plan)


def test_detail_runs_the_same_queries_for_1_and_for_many_photos(api, alpha, host):
    few = listing_factory(alpha.tenant, host, amenities=["wifi"])
    many = listing_factory(alpha.tenant, host, amenities=["wifi", "pool", "kitchen", "tv"])
    with tenant_context(alpha.tenant):
        for _ in range(9):
            services.photo_add(property=many, upload=image_upload())

    def queries(prop) -> int:
        with CaptureQueriesContext(connection) as captured:
            body = api(alpha.host).get(f"{PROPERTIES}/{prop.id}").json()
        return len(captured), len(body["photos"])

    assert queries(few)[0] == queries(many)[0]
    assert queries(many)[1] == 10


def test_a_cached_detail_skips_the_listing_queries(api, alpha, listing):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api(alpha.host).get(f"{PROPERTIES}/{listing.id}").status_code == 200
        return len(captured)

    first, second = queries(), queries()

    assert second < first
    assert second <= 2  # only the search path and the host -> marketplace lookup
