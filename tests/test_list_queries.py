"""Every list endpoint runs the same number of SQL queries for one row as for many: related
rows come with the page (select_related / prefetch), never one query per row.

Search and property detail pin theirs next to their own tests (tenant_apps/listings/tests);
my bookings in GraphQL too (tenant_apps/bookings/tests/test_graphql.py). Each case here asks
for a page of one row and a page of several in the same world and compares the counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.tests.factories import member_factory
from tenant_apps.bookings.tests.factories import booking_factory, stay_factory
from tenant_apps.listings import services as listings
from tenant_apps.listings.cache import bump_listings_version
from tenant_apps.listings.models import Amenity
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.reviews.tests.factories import review_factory

MANY = 3


@pytest.fixture
def world(alpha, bravo):
    """Alpha with a host of MANY listings, MANY guests each with a booking and a reviewed
    past stay, and a listing with one block next to one with MANY."""
    host = member_factory(alpha.tenant, Role.HOST).user
    homes = [listing_factory(alpha.tenant, host, title=f"Home {n}") for n in range(MANY)]
    guests = []
    for n in range(MANY):
        guest = member_factory(alpha.tenant, Role.GUEST).user
        booking_factory(alpha.tenant, guest, homes[n], start=20 + 3 * n)
        booking_factory(alpha.tenant, guest, homes[(n + 1) % MANY], start=40 + 3 * n)
        review_factory(alpha.tenant, stay_factory(alpha.tenant, guest, homes[0]))
        guests.append(guest)
    with tenant_context(alpha.tenant):
        today = timezone.localdate()
        for n, home in enumerate(homes[1:]):
            for k in range(1 if n == 0 else MANY):
                start = today + timedelta(days=100 + 5 * k)
                listings.block_create(property=home, start=start, end=start + timedelta(days=2))
    return {"alpha": alpha, "bravo": bravo, "host": host, "homes": homes, "guests": guests}


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content[:500]
    return len(captured)


def _fresh_caches(*markets):
    for market in markets:
        with tenant_context(market.tenant):
            bump_listings_version()


PAGED = [
    # (who, path): who is a key of the world or "admin"
    ("host", "/api/v1/me/properties"),
    ("host", "/api/v1/bookings?as=host"),
    ("host", "/api/v1/payouts"),
    ("guest", "/api/v1/bookings"),
    ("admin", "/api/v1/members"),
    ("anonymous", "/api/v1/properties/{home}/reviews"),
]


@pytest.mark.parametrize(("who", "path"), PAGED)
def test_a_page_of_many_costs_what_a_page_of_one_costs(api, world, who, path):
    alpha = world["alpha"]
    user = {"host": world["host"], "guest": world["guests"][0], "admin": alpha.admin}.get(who)
    client = api(alpha.host, user)
    path = path.format(home=world["homes"][0].pk)
    sep = "&" if "?" in path else "?"

    def page(size: int):
        _fresh_caches(alpha)
        return lambda: client.get(f"{path}{sep}page_size={size}")

    one, many = page(1), page(MANY)
    assert len(many().json()["results"]) > 1, "the world should fill a page of many"
    assert _queries(page(1)) == _queries(page(MANY))
    assert len(one().json()["results"]) == 1


def test_blocks_cost_the_same_for_one_block_as_for_many(api, world):
    alpha, host = world["alpha"], world["host"]
    one, many = world["homes"][1], world["homes"][2]
    client = api(alpha.host, host)

    counted = {
        home: _queries(lambda home=home: client.get(f"/api/v1/properties/{home.pk}/blocks"))
        for home in (one, many)
    }

    assert len(client.get(f"/api/v1/properties/{many.pk}/blocks").json()) == MANY
    assert counted[one] == counted[many]


def test_amenities_cost_the_same_however_many_there_are(api, world):
    client = api(world["alpha"].host)
    before = _queries(lambda: client.get("/api/v1/amenities"))
    with tenant_context(world["alpha"].tenant):
        Amenity.objects.bulk_create(
            Amenity(code=f"extra-{n}", name=f"Extra {n}") for n in range(MANY)
        )
    _fresh_caches(world["alpha"])

    assert _queries(lambda: client.get("/api/v1/amenities")) == before


@pytest.mark.parametrize("path", ["/api/v1/platform/tenants", "/api/v1/platform/metrics"])
def test_operator_lists_cost_the_same_for_one_marketplace_as_for_two(
    api, world, platform_host, django_user_model, path
):
    staff = django_user_model.objects.create_user(
        email="ops@example.com", password="a-long-operator-password", is_staff=True
    )
    client = api(platform_host, staff)

    assert len(client.get(f"{path}?page_size=2").json()["results"]) == 2
    assert _queries(lambda: client.get(f"{path}?page_size=1")) == _queries(
        lambda: client.get(f"{path}?page_size=2")
    )


@pytest.mark.parametrize(
    ("who", "query"),
    [
        ("host", "query($n: PageSize!) { myProperties(first: $n) { items { id title "
         "photos { url } host { firstName } } nextCursor } }"),
        ("anonymous", "query($n: PageSize!, $id: UUID!) { propertyReviews(propertyId: $id, "
         "first: $n) { items { id rating author { firstName } } nextCursor } }"),
    ],
)  # fmt: skip
def test_graphql_pages_of_many_cost_what_a_page_of_one_costs(gql, world, who, query):
    alpha = world["alpha"]
    run = gql(alpha.host, world["host"] if who == "host" else None)
    variables = {"id": str(world["homes"][0].pk)}

    def page(size: int):
        _fresh_caches(alpha)
        with CaptureQueriesContext(connection) as captured:
            status, body = run(query, {**variables, "n": size})
        assert status == 200, body
        assert "errors" not in body, body
        items = next(iter(body["data"].values()))["items"]
        return len(captured), len(items)

    (one_queries, one_items), (many_queries, many_items) = page(1), page(MANY)

    assert (one_items, many_items) == (1, MANY)
    assert one_queries == many_queries
