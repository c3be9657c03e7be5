"""The read path of listings (issue 16): query counts of search and detail pinned, warm
answers served as stored bytes (never to the wrong person, never across marketplaces),
bookings and blocks invalidating only what they touch, and the per-process host map."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, tenant_context

from shared_apps.core import tenancy
from shared_apps.tenants.models import Domain
from shared_apps.tenants.services import tenant_suspend
from tenant_apps.bookings import services as bookings
from tenant_apps.listings import services as listings
from tenant_apps.listings.api.serializers import PropertyOutput, PropertyRowOutput
from tenant_apps.listings.cache import bump_listings_version
from tenant_apps.listings.models import Property
from tenant_apps.listings.selectors import property_row_for_viewer, with_related
from tenant_apps.listings.tests.factories import listing_factory

PROPERTIES = "/api/v1/properties"
SEARCH = """query($city: String, $checkIn: Date, $checkOut: Date) {
  properties(city: $city, checkIn: $checkIn, checkOut: $checkOut) {
    items { id title nightlyPrice amenities photos { url } host { firstName } }
    nextCursor
  }
}"""
DETAIL = "query($id: UUID!) { property(id: $id) { id title status photos { url } } }"


def _day(days: int) -> date:
    return date.today() + timedelta(days=days)  # noqa: DTZ011


@pytest.fixture(autouse=True)
def _fresh_cache(marketplaces, db, settings):
    settings.LISTINGS_CACHE = True
    for market in marketplaces.values():
        with tenant_context(market.tenant):
            bump_listings_version()
    tenancy.host_map.forget()
    yield
    tenancy.host_map.forget()  # rows this test made are rolled back


@pytest.fixture
def town(alpha, bravo, host, make_member):
    """Two listings in Cachetown on alpha, one on bravo."""
    first = listing_factory(
        alpha.tenant, host, city="Cachetown", nightly_price=Decimal("90"), amenities=["wifi"]
    )
    second = listing_factory(alpha.tenant, host, city="Cachetown", nightly_price=Decimal("80"))
    bravo_host = make_member(bravo.tenant, "host").user
    other = listing_factory(bravo.tenant, bravo_host, city="Cachetown")
    return first, second, other


def _get(client, path, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    return response, len(queries)


def _ids(response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


# --- Query counts ---------------------------------------------------------------------


def test_query_counts_of_search_and_detail_are_pinned(
    api, gql, alpha, town, settings, django_assert_num_queries
):
    settings.LISTINGS_CACHE = False
    client = api(alpha.host)
    client.get("/api/v1/amenities")  # the host map now knows alpha's host
    dates = {"check_in": _day(20), "check_out": _day(23)}
    # SET search_path, the search page (its amenities and photos as array subqueries).
    with django_assert_num_queries(2):
        assert client.get(PROPERTIES, {"city": "Cachetown", **dates}).status_code == 200
    # + the amenity codes checked (a 400 names unknown ones).
    with django_assert_num_queries(3):
        client.get(PROPERTIES, {"city": "Cachetown", "amenities": "wifi"})
    with django_assert_num_queries(2):  # SET, the listing with its host, amenities, photos
        assert client.get(f"{PROPERTIES}/{town[0].id}").status_code == 200
    variables = {"city": "Cachetown", "checkIn": str(_day(20)), "checkOut": str(_day(23))}
    with django_assert_num_queries(4):
        status, body = gql(alpha.host)(SEARCH, variables)
    assert status == 200
    assert len(body["data"]["properties"]["items"]) == 2
    with django_assert_num_queries(4):  # SET, the listing with its host, amenities, photos
        status, body = gql(alpha.host)(DETAIL, {"id": str(town[0].id)})
    assert body["data"]["property"]["id"] == str(town[0].id)


def test_search_never_reads_the_hosts_password_hash(api, alpha, town, settings):
    settings.LISTINGS_CACHE = False
    with CaptureQueriesContext(connection) as queries:
        api(alpha.host).get(PROPERTIES, {"city": "Cachetown"})
        api(alpha.host).get(f"{PROPERTIES}/{town[0].id}")
    assert not [q for q in queries.captured_queries if '"password"' in q["sql"]]


def test_rows_answer_equals_the_model_serializer(alpha, host):
    listing = listing_factory(alpha.tenant, host, amenities=["wifi", "kitchen"])
    with tenant_context(alpha.tenant):
        listings.photo_add(property=listing, upload=_png())
        model = with_related(Property.objects.filter(pk=listing.pk)).get()
        row = property_row_for_viewer(property_id=listing.pk, user=None)
        assert PropertyRowOutput.one(row) == PropertyOutput(model).data
        assert len(row["photo_rows"]) == 2
        assert row["amenity_codes"] == ["kitchen", "wifi"]


def test_the_detail_query_built_once_serves_each_marketplace_its_own_rows(
    alpha, bravo, host, make_member
):
    """every_listing_rows() keeps one query per process for every marketplace: each reads its
    own schema through it, a host still sees their draft, and the kept query holds no rows."""
    from tenant_apps.listings import selectors

    mine = listing_factory(alpha.tenant, host, title="Alpha only")
    draft = listing_factory(alpha.tenant, host, title="Alpha draft", publish=False)
    theirs = listing_factory(bravo.tenant, make_member(bravo.tenant, "host").user)
    with tenant_context(alpha.tenant):
        assert property_row_for_viewer(property_id=mine.pk, user=None)["title"] == "Alpha only"
        assert property_row_for_viewer(property_id=theirs.pk, user=None) is None
        assert property_row_for_viewer(property_id=draft.pk, user=None) is None
        assert property_row_for_viewer(property_id=draft.pk, user=host)["status"] == "draft"
    with tenant_context(bravo.tenant):
        assert property_row_for_viewer(property_id=theirs.pk, user=None)["id"] == theirs.pk
        assert property_row_for_viewer(property_id=mine.pk, user=None) is None
    kept = selectors._every_listing_rows[0]
    assert kept._result_cache is None
    assert selectors.every_listing_rows() is not kept


def _png():
    from tenant_apps.listings.tests.factories import image_upload

    return image_upload(name="second.png")


# --- Warm answers as stored bytes ---------------------------------------------------------


def test_a_warm_answer_is_the_same_bytes_and_headers_without_a_query(api, gql, alpha, town):
    client = api(alpha.host)
    for path, params in (
        (PROPERTIES, {"city": "Cachetown", "check_in": _day(5), "check_out": _day(8)}),
        (f"{PROPERTIES}/{town[0].id}", {}),
        (f"{PROPERTIES}/{town[0].id}/calendar", {"month": _day(5).strftime("%Y-%m")}),
    ):
        cold, _ = _get(client, path, **params)
        warm, queries = _get(client, path, **params)
        assert warm.status_code == cold.status_code == 200
        assert warm.content == cold.content
        assert queries == 0
        for header in ("Content-Type", "Vary", "Allow", "X-Frame-Options"):
            assert warm.get(header) == cold.get(header), header
    run = gql(alpha.host)
    cold = run(DETAIL, {"id": str(town[0].id)})
    with CaptureQueriesContext(connection) as queries:
        warm = run(DETAIL, {"id": str(town[0].id)})
    assert warm == cold
    assert len(queries) == 0


def test_a_graphql_answer_sets_no_csrf_cookie_cold_or_warm(api, alpha, town):
    """The endpoint is CSRF-exempt and reads bearer tokens only: no answer of it needs the
    cookie graphene's view would set (making one was a third of a warm answer's time)."""
    client = api(alpha.host)
    body = {"query": DETAIL, "variables": {"id": str(town[0].id)}}
    for _ in range(2):  # computed, then stored
        response = client.post("/graphql/", body, format="json")
        assert response.status_code == 200
        assert response.json()["data"]["property"]["id"] == str(town[0].id)
        assert not response.cookies
        assert "Set-Cookie" not in response


def test_a_warm_answer_is_counted_under_its_route_in_the_request_metrics(api, alpha, town):
    """Served before URL resolution, a stored answer still names the route that computed
    it: dashboards and alerts by route must not lose the cached traffic to "unmatched"."""
    from prometheus_client import REGISTRY

    def served(route: str) -> float:
        labels = {"route": route, "method": "GET", "status": "200"}
        return REGISTRY.get_sample_value("rental_http_request_duration_seconds_count", labels) or 0

    client = api(alpha.host)
    path, route = f"{PROPERTIES}/{town[0].id}", "api/v1/properties/<uuid:property_id>"
    _get(client, path)  # computed, then stored
    before = served(route), served("unmatched")
    warm, queries = _get(client, path)

    assert queries == 0  # it was the stored answer
    assert served(route) == before[0] + 1
    assert served("unmatched") == before[1]


def test_a_hosts_draft_is_never_served_to_anyone_else(api, gql, alpha, host, guest):
    draft = listing_factory(alpha.tenant, host, publish=False)
    path = f"{PROPERTIES}/{draft.id}"
    for _ in range(2):  # the host asks twice: nothing of theirs may be stored
        assert api(alpha.host, host).get(path).json()["status"] == "draft"
        status, body = gql(alpha.host, host)(DETAIL, {"id": str(draft.id)})
        assert body["data"]["property"]["status"] == "draft"
    client = api(alpha.host)
    client.force_authenticate(user=None)
    assert api(alpha.host).get(path).status_code == 404
    assert api(alpha.host, guest).get(path).status_code == 404
    assert gql(alpha.host)(DETAIL, {"id": str(draft.id)})[1]["data"]["property"] is None
    assert gql(alpha.host, guest)(DETAIL, {"id": str(draft.id)})[1]["data"]["property"] is None


def test_a_session_user_sees_their_draft_even_after_an_anonymous_answer(api, alpha, host):
    draft = listing_factory(alpha.tenant, host, publish=False)
    path = f"{PROPERTIES}/{draft.id}"
    assert api(alpha.host).get(path).status_code == 404
    browser = api(alpha.host)
    browser.force_login(host)  # a session cookie, no Authorization header
    assert browser.get(path).json()["status"] == "draft"


def test_a_bad_token_is_refused_even_when_the_answer_is_warm(api, alpha, town):
    path = f"{PROPERTIES}/{town[0].id}"
    api(alpha.host).get(path)
    client = api(alpha.host)
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.get(path).status_code == 401


def test_warm_answers_never_cross_marketplaces(api, gql, alpha, bravo, town):
    first, second, other = town
    query = {"city": "Cachetown"}
    assert sorted(_ids(api(alpha.host).get(PROPERTIES, query))) == sorted(
        [str(first.id), str(second.id)]
    )
    assert _ids(api(bravo.host).get(PROPERTIES, query)) == [str(other.id)]
    assert api(bravo.host).get(f"{PROPERTIES}/{first.id}").status_code == 404
    # The same bytes asked of each host: each its own answer, also from GraphQL.
    on_alpha = gql(alpha.host)(SEARCH, query)[1]["data"]["properties"]["items"]
    on_bravo = gql(bravo.host)(SEARCH, query)[1]["data"]["properties"]["items"]
    assert {item["id"] for item in on_alpha} == {str(first.id), str(second.id)}
    assert [item["id"] for item in on_bravo] == [str(other.id)]
    assert gql(bravo.host)(DETAIL, {"id": str(first.id)})[1]["data"]["property"] is None
    # Alpha's custom domain is another host: its answers carry its own links.
    assert api("stays.alpha.test").get(PROPERTIES, query).status_code == 200


# --- Invalidation at the grain of what changed -------------------------------------------


def test_a_booking_renews_only_its_listing_and_the_date_searches_showing_it(
    api, alpha, town, guest, django_capture_on_commit_callbacks
):
    first, second, _ = town
    client = api(alpha.host)
    dated = {"city": "Cachetown", "check_in": _day(10), "check_out": _day(13)}
    later = {"city": "Cachetown", "check_in": _day(40), "check_out": _day(43)}
    only_second = {**dated, "price_max": "85"}
    reads = [
        (PROPERTIES, dated), (PROPERTIES, later), (PROPERTIES, only_second),
        (PROPERTIES, {"city": "Cachetown"}), (f"{PROPERTIES}/{first.id}", {}),
        (f"{PROPERTIES}/{second.id}", {}),
    ]  # fmt: skip
    for path, params in reads:
        client.get(path, params)
    with tenant_context(alpha.tenant), django_capture_on_commit_callbacks(execute=True):
        bookings.booking_create(
            property_id=first.id, guest=guest, check_in=_day(11), check_out=_day(12), guests=1
        )
    misses = {i for i, (path, params) in enumerate(reads) if _get(client, path, **params)[1]}
    assert misses == {0, 1, 4}  # the searches showing `first`, and its detail
    assert _ids(client.get(PROPERTIES, dated)) == [str(second.id)]  # renewed: it's booked


def test_nights_given_back_renew_the_date_searches_covering_them(
    api, alpha, town, guest, django_capture_on_commit_callbacks
):
    first, second, _ = town
    client = api(alpha.host)
    with tenant_context(alpha.tenant), django_capture_on_commit_callbacks(execute=True):
        booking = bookings.booking_create(
            property_id=first.id, guest=guest, check_in=_day(11), check_out=_day(12), guests=1
        )
    covering = {"city": "Cachetown", "check_in": _day(10), "check_out": _day(13)}
    # Other nights, a page without `first`: nothing of it changes.
    elsewhere = {"city": "Cachetown", "check_in": _day(30), "check_out": _day(33), "price_max": 85}
    assert _ids(client.get(PROPERTIES, covering)) == [str(second.id)]
    client.get(PROPERTIES, elsewhere)
    with tenant_context(alpha.tenant), django_capture_on_commit_callbacks(execute=True):
        bookings.booking_cancel(booking=booking, actor=guest)
    assert sorted(_ids(client.get(PROPERTIES, covering))) == sorted([str(first.id), str(second.id)])
    assert _get(client, PROPERTIES, **elsewhere)[1] == 0  # untouched nights: still warm


def test_a_block_renews_its_listing_and_an_edit_every_search(api, alpha, town):
    first, second, _ = town
    client = api(alpha.host)
    dated = {"city": "Cachetown", "check_in": _day(10), "check_out": _day(13)}
    client.get(PROPERTIES, dated)
    client.get(f"{PROPERTIES}/{second.id}")
    with tenant_context(alpha.tenant):
        listings.block_create(property=first, start=_day(12), end=_day(14))
    assert _ids(client.get(PROPERTIES, dated)) == [str(second.id)]
    assert _get(client, f"{PROPERTIES}/{second.id}")[1] == 0
    with tenant_context(alpha.tenant):
        listings.property_update(property=first, data={"title": "Renamed"})
    assert _get(client, f"{PROPERTIES}/{second.id}")[1] == 0  # another listing's detail
    undated = client.get(PROPERTIES, {"city": "Cachetown"}).json()["results"]
    assert {row["title"] for row in undated} >= {"Renamed"}


# --- Host -> marketplace map -----------------------------------------------------------


def test_a_known_host_is_served_without_a_domain_query(api, alpha):
    client = api(alpha.host)
    client.get("/api/v1/amenities")
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/amenities")
    assert not [q for q in queries.captured_queries if "tenants_domain" in q["sql"]]


def test_a_removed_domain_or_a_suspension_takes_effect_at_once(api, alpha):
    assert api("stays.alpha.test").get("/api/v1/amenities").status_code == 200
    Domain.objects.filter(domain="stays.alpha.test").get().delete()
    assert api("stays.alpha.test").get("/api/v1/amenities").status_code == 404
    Domain.objects.create(domain="new.alpha.test", tenant=alpha.tenant, is_primary=False)
    assert api("new.alpha.test").get("/api/v1/amenities").status_code == 200
    tenant_suspend(tenant=alpha.tenant)
    assert api(alpha.host).get("/api/v1/amenities").status_code == 503


def test_another_processs_change_is_seen_within_the_check_interval(alpha, settings):
    """Another process bumps the shared version; this one keeps its map until its next
    check (HOST_MAP_CHECK_SECONDS), then looks every host up again."""
    loads = []

    def load(hostname):
        loads.append(hostname)
        return alpha.tenant

    other = tenancy.HostMap()
    settings.HOST_MAP_CHECK_SECONDS = 3600
    other.tenant_for(alpha.host, load)
    other.tenant_for(alpha.host, load)
    with schema_context("public"):
        cache.incr(tenancy.HOST_MAP_VERSION_KEY)  # as another process's change does
    other.tenant_for(alpha.host, load)
    assert loads == [alpha.host]  # within the interval: the map is kept
    settings.HOST_MAP_CHECK_SECONDS = 0
    other.tenant_for(alpha.host, load)
    assert loads == [alpha.host, alpha.host]


def test_the_search_path_is_set_again_after_a_rollback(alpha, bravo, host):
    listing = listing_factory(alpha.tenant, host)
    with tenant_context(alpha.tenant):
        try:
            with transaction.atomic():
                assert Property.objects.filter(pk=listing.pk).exists()  # SET inside
                raise RuntimeError
        except RuntimeError:
            pass
        assert Property.objects.filter(pk=listing.pk).exists()
        with connection.cursor() as cursor:
            cursor.execute("SHOW search_path")
            assert cursor.fetchone()[0].startswith("alpha")
