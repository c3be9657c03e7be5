"""Listings through GraphQL: the same answers as REST for the same inputs, a fixed number
of queries for nested pages, and the same rules for hosts' writes."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from tenant_apps.bookings.tests.factories import stay_factory
from tenant_apps.listings import services
from tenant_apps.listings.tests.factories import image_upload, listing_factory
from tenant_apps.reviews.tests.factories import review_factory
from tests.support.days import day

SEARCH = """query($first: PageSize, $after: String, $city: String, $priceMin: Decimal,
    $priceMax: Decimal, $amenities: [String!], $latitude: Decimal, $longitude: Decimal,
    $radiusKm: Float, $checkIn: Date, $checkOut: Date, $guests: Int, $instantBook: Boolean,
    $ordering: String) {
  properties(first: $first, after: $after, city: $city, priceMin: $priceMin,
      priceMax: $priceMax, amenities: $amenities, latitude: $latitude, longitude: $longitude,
      radiusKm: $radiusKm, checkIn: $checkIn, checkOut: $checkOut, guests: $guests,
      instantBook: $instantBook, ordering: $ordering) {
    items { id distanceKm }
    nextCursor
  }
}"""


@pytest.fixture
def catalogue(alpha, host, make_member):
    """Listings that differ in every filtered field, with ties on price, two rated ones and
    a host block."""
    specs = [
        {"city": "Annecy", "nightly_price": Decimal("120"), "amenities": ["wifi", "pool"]},
        {"city": "Annecy", "nightly_price": Decimal("120"), "instant_book": True},
        {"city": "Annecy", "nightly_price": Decimal("80"), "max_guests": 6},
        {"city": "Lyon", "nightly_price": Decimal("150"), "amenities": ["wifi"],
         "latitude": Decimal("45.764"), "longitude": Decimal("4.8357")},
        {"city": "Lyon", "nightly_price": Decimal("300"), "amenities": ["pool", "wifi"],
         "latitude": Decimal("45.75"), "longitude": Decimal("4.85"), "instant_book": True},
        {"city": "Paris", "nightly_price": Decimal("200"), "max_guests": 8},
    ]  # fmt: skip
    listings = [listing_factory(alpha.tenant, host, **spec) for spec in specs]
    for listing, rating in ((listings[2], 5), (listings[5], 3)):
        guest = make_member(alpha.tenant).user
        review_factory(alpha.tenant, stay_factory(alpha.tenant, guest, listing), rating=rating)
    with tenant_context(alpha.tenant):
        services.block_create(property=listings[0], start=day(20), end=day(25))
    return listings


FILTERS = [
    {},
    {"city": "annecy", "ordering": "price"},
    {"price_min": "100", "price_max": "200", "ordering": "-price"},
    {"amenities": ["pool", "wifi"]},
    {"latitude": "45.76", "longitude": "4.84", "radius_km": 30},
    {"check_in": day(21), "check_out": day(23), "city": "Annecy"},
    {"guests": 5, "instant_book": False},
    {"ordering": "rating"},
]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _rest_search(api, market, filters) -> list[dict]:
    params = {**filters, "page_size": 50}
    if "amenities" in params:
        params["amenities"] = ",".join(params["amenities"])
    response = api(market.host).get("/api/v1/properties", params)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def _graphql_search(gql, market, filters, first=50, after=None) -> dict:
    variables = {_camel(k): str(v) if isinstance(v, date) else v for k, v in filters.items()}
    status, body = gql(market.host)(SEARCH, {**variables, "first": first, "after": after})
    assert status == 200, body
    assert "errors" not in body, body
    return body["data"]["properties"]


def test_search_gives_the_same_listings_in_the_same_order_as_rest(api, gql, alpha, catalogue):
    # One catalogue for every filter set (building it is the slow part).
    for filters in FILTERS:
        rest = _rest_search(api, alpha, filters)
        graphql = _graphql_search(gql, alpha, filters)

        assert [row["id"] for row in graphql["items"]] == [row["id"] for row in rest], filters
        distances = [row["distanceKm"] for row in graphql["items"]]
        assert distances == [row["distance_km"] for row in rest], filters
        assert rest, f"{filters} should match something"


def test_cursor_pages_walk_the_whole_result_without_gaps_or_repeats(api, gql, alpha, catalogue):
    for ordering in ["price", "-price", "rating", "newest"]:
        walked, after = [], None
        for _ in range(10):
            page = _graphql_search(gql, alpha, {"ordering": ordering}, first=2, after=after)
            walked += [row["id"] for row in page["items"]]
            after = page["nextCursor"]
            if after is None:
                break

        rest = [row["id"] for row in _rest_search(api, alpha, {"ordering": ordering})]
        assert walked == rest, ordering
        assert len(walked) == len(set(walked)) == len(catalogue), ordering


DETAIL = """query($id: UUID!) { property(id: $id) {
  id title description propertyType latitude longitude nightlyPrice cleaningFee currency
  maxGuests bedrooms beds bathrooms amenities instantBook minNights maxNights checkInTime
  checkOutTime cancellationPolicy status ratingAverage ratingCount
  address { street city region postalCode country }
  photos { id url width height position caption renditions { width url } }
  host { id firstName avatarUrl }
  reviews { rating comment author { firstName avatarUrl } }
} }"""


def test_detail_gives_the_same_listing_as_rest(api, gql, alpha, catalogue):
    rated = catalogue[2]

    rest = api(alpha.host).get(f"/api/v1/properties/{rated.id}").json()
    _, body = gql(alpha.host)(DETAIL, {"id": str(rated.id)})
    graphql = body["data"]["property"]
    reviews = api(alpha.host).get(f"/api/v1/properties/{rated.id}/reviews").json()["results"]

    for field in [
        "id", "title", "description", "property_type", "latitude", "longitude",
        "nightly_price", "cleaning_fee", "currency", "max_guests", "bedrooms", "beds",
        "bathrooms", "amenities", "instant_book", "min_nights", "max_nights", "check_in_time",
        "check_out_time", "cancellation_policy", "status", "rating_average", "rating_count",
    ]:  # fmt: skip
        assert graphql[_camel(field)] == rest[field], field
    assert graphql["ratingAverage"] == "5.00"
    assert graphql["address"] == {_camel(k): v for k, v in rest["address"].items()}
    assert graphql["photos"] == [{_camel(k): v for k, v in p.items()} for p in rest["photos"]]
    assert graphql["host"] == {_camel(k): v for k, v in rest["host"].items()}
    assert [(r["rating"], r["comment"]) for r in graphql["reviews"]] == [
        (r["rating"], r["comment"]) for r in reviews
    ]


def test_bad_search_arguments_are_errors_naming_them(gql, alpha, catalogue):
    cases = {
        "priceMax": {"priceMin": "300", "priceMax": "100"},
        "amenities": {"amenities": ["wifi", "teleporter"]},
        "checkIn": {"checkIn": str(day(-3)), "checkOut": str(day(2))},
        "ordering": {"ordering": "cheapest"},
    }
    for field, variables in cases.items():
        status, body = gql(alpha.host)(SEARCH, variables)

        assert status == 200
        assert body["data"] is None
        assert field in body["errors"][0]["extensions"]["fields"], (field, body)


NESTED = """query($first: PageSize) { properties(first: $first) { items {
  id photos { url } host { firstName }
  reviews(first: 3) { rating author { firstName avatarUrl } }
} } }"""


def test_a_nested_page_runs_the_same_queries_for_one_and_for_many_listings(
    gql, alpha, host, make_member
):
    def queries() -> tuple[int, list]:
        with CaptureQueriesContext(connection) as captured:
            _, body = gql(alpha.host)(NESTED, {"first": 50})
        return len(captured), body["data"]["properties"]["items"]

    first = listing_factory(alpha.tenant, host)
    review_factory(alpha.tenant, stay_factory(alpha.tenant, make_member(alpha.tenant).user, first))
    one, one_items = queries()
    for _ in range(4):
        listing = listing_factory(alpha.tenant, host)
        with tenant_context(alpha.tenant):
            services.photo_add(property=listing, upload=image_upload())
        for _ in range(2):
            guest = make_member(alpha.tenant).user
            review_factory(alpha.tenant, stay_factory(alpha.tenant, guest, listing))
    many, many_items = queries()

    assert one == many, (one, many)
    assert len(one_items) == 1
    assert len(many_items) == 5
    assert sum(len(item["reviews"]) for item in many_items) == 9
    assert sum(len(item["photos"]) for item in many_items) == 9
    assert all(item["host"]["firstName"] for item in many_items)


CREATE = """mutation($input: PropertyInput!) { createProperty(input: $input) {
  property { id status title nightlyPrice amenities }
  errors { field code message }
} }"""
LISTING_INPUT = {
    "title": "Loft by the river", "street": "2 Quai", "city": "Lyon", "country": "fr",
    "nightlyPrice": "95.50", "maxGuests": 3, "amenities": ["wifi"],
}  # fmt: skip


def test_hosts_create_edit_and_publish_listings_through_graphql(api, gql, alpha, host):
    _, created = gql(alpha.host, host)(CREATE, {"input": LISTING_INPUT})
    payload = created["data"]["createProperty"]
    listing_id = payload["property"]["id"]
    _, edited = gql(alpha.host, host)(
        'mutation($id: UUID!) { updateProperty(id: $id, input: {title: "Riverside loft"}) '
        "{ property { title nightlyPrice } errors { code } } }",
        {"id": listing_id},
    )
    _, unpublishable = gql(alpha.host, host)(
        "mutation($id: UUID!) { publishProperty(id: $id) { property { status } "
        "errors { field code } } }",
        {"id": listing_id},
    )
    rest = api(alpha.host, host).get(f"/api/v1/properties/{listing_id}").json()

    assert payload["errors"] == []
    assert payload["property"]["status"] == "draft"
    assert payload["property"]["nightlyPrice"] == "95.50"
    assert edited["data"]["updateProperty"]["property"] == {
        "title": "Riverside loft",
        "nightlyPrice": "95.50",
    }
    # the same rule as REST: a listing needs a photo before it is published
    assert unpublishable["data"]["publishProperty"]["errors"] == [
        {"field": "photos", "code": "incomplete"}
    ]
    assert (rest["title"], rest["address"]["country"], rest["status"]) == (
        "Riverside loft",
        "FR",
        "draft",
    )


def test_listing_writes_refused_with_typed_errors(gql, alpha, host, make_member, catalogue):
    guest = make_member(alpha.tenant, Role.GUEST).user
    other_host = make_member(alpha.tenant, Role.HOST).user

    _, by_guest = gql(alpha.host, guest)(CREATE, {"input": LISTING_INPUT})
    _, bad_price = gql(alpha.host, host)(CREATE, {"input": {**LISTING_INPUT, "nightlyPrice": "-5"}})
    _, bad_type = gql(alpha.host, host)(
        CREATE, {"input": {**LISTING_INPUT, "propertyType": "castle", "maxGuests": 0}}
    )
    _, not_mine = gql(alpha.host, other_host)(
        'mutation($id: UUID!) { updateProperty(id: $id, input: {title: "Mine now"}) '
        "{ property { id } errors { field code message } } }",
        {"id": str(catalogue[0].id)},
    )

    assert by_guest["data"]["createProperty"]["property"] is None
    assert by_guest["data"]["createProperty"]["errors"][0]["code"] == "forbidden"
    assert [e["field"] for e in bad_price["data"]["createProperty"]["errors"]] == ["nightlyPrice"]
    fields = {e["field"] for e in bad_type["data"]["createProperty"]["errors"]}
    assert fields == {"propertyType", "maxGuests"}
    assert not_mine["data"]["updateProperty"]["errors"] == [
        {"field": None, "code": "not_found", "message": "No listing with this id here."}
    ]


def test_a_repeated_search_skips_the_search_query_and_sees_every_write(gql, alpha, bravo, host):
    listing = listing_factory(alpha.tenant, host, city="Cachetown", nightly_price=Decimal("90"))
    query = '{ properties(city: "Cachetown") { items { id nightlyPrice } } }'

    def search(market):
        with CaptureQueriesContext(connection) as captured:
            _, body = gql(market.host)(query)
        return len(captured), body["data"]["properties"]["items"]

    first_count, first = search(alpha)
    again_count, again = search(alpha)
    on_bravo = search(bravo)[1]
    with tenant_context(alpha.tenant):
        services.property_update(property=listing, data={"nightly_price": Decimal("75")})
    after_write = search(alpha)[1]

    assert first == again == [{"id": str(listing.id), "nightlyPrice": "90.00"}]
    assert again_count < first_count
    assert on_bravo == []
    assert after_write == [{"id": str(listing.id), "nightlyPrice": "75.00"}]


def test_calendars_come_one_listing_at_a_time(gql, alpha, host):
    listing = listing_factory(alpha.tenant, host)
    with tenant_context(alpha.tenant):
        services.block_create(property=listing, start=date(2031, 3, 4), end=date(2031, 3, 6))

    _, one = gql(alpha.host)(
        'query($id: UUID!) { property(id: $id) { calendar(month: "2031-03") { date status } } }',
        {"id": str(listing.id)},
    )
    _, in_a_list = gql(alpha.host)(
        '{ properties { items { calendar(month: "2031-03") { date } } } }'
    )
    _, bad_month = gql(alpha.host)(
        'query($id: UUID!) { property(id: $id) { calendar(month: "2031-13") { date } } }',
        {"id": str(listing.id)},
    )

    days = one["data"]["property"]["calendar"]
    assert len(days) == 31
    assert [d["date"] for d in days if d["status"] == "blocked"] == ["2031-03-04", "2031-03-05"]
    assert in_a_list["errors"][0]["extensions"]["code"] == "calendar_in_list"
    assert bad_month["errors"][0]["extensions"]["fields"] == {
        "month": ["Use a month like 2027-03."]
    }


def test_anonymous_listing_reads_are_answered_from_the_cache_until_a_write(gql, alpha, bravo, host):
    listing = listing_factory(alpha.tenant, host, city="Cachetown", nightly_price=Decimal("90"))
    draft = listing_factory(alpha.tenant, host, publish=False)
    reads = 'query($id: UUID!) { property(id: $id) { id status } properties(city: "Cachetown") '
    reads += "{ items { id nightlyPrice } } }"
    mixed = '{ amenities { code } properties(city: "Cachetown") { items { id } } }'

    def ask(market, query, user=None, **variables):
        with CaptureQueriesContext(connection) as captured:
            _, body = gql(market.host, user)(query, variables)
        return len(captured), body["data"]

    floor = ask(alpha, "{ __typename }")[0]  # the host lookup every request makes
    first = ask(alpha, reads, id=str(draft.id))
    again = ask(alpha, reads, id=str(draft.id))
    by_its_host = ask(alpha, reads, host, id=str(draft.id))
    on_bravo = ask(bravo, reads, id=str(draft.id))
    mixed_first, mixed_again = ask(alpha, mixed), ask(alpha, mixed)
    with tenant_context(alpha.tenant):
        services.property_update(property=listing, data={"nightly_price": Decimal("75")})
    after_write = ask(alpha, reads, id=str(draft.id))

    assert first[1]["property"] is None  # a draft is not public
    assert again == (floor, first[1])  # answered from the cache, no query beyond the host's
    assert by_its_host[1]["property"] == {"id": str(draft.id), "status": "draft"}
    assert on_bravo[1] == {"property": None, "properties": {"items": []}}
    assert mixed_again[0] == mixed_first[0] > floor  # amenities are not cached answers
    assert after_write[1]["properties"]["items"] == [
        {"id": str(listing.id), "nightlyPrice": "75.00"}
    ]
