"""Every search ordering and filter is served by an index, proven by the plan PostgreSQL
picks on a marketplace of 20,000 published listings (docs/database.md, "Indexes and the
queries they serve"): the first page reads a few hundred index entries at most, never the
whole table, so search time stays flat as a marketplace grows (bench/search_scale.py
measures 1,000 against 100,000 listings)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from bench.listings_sql import insert_listings
from tenant_apps.listings.models import Property
from tenant_apps.listings.selectors import SearchFilters, property_search_sorted

LISTINGS = 20_000
# What a first page may read from the listings table: the page (21 rows) plus what a
# filter skips while walking an ordering's index (a tenth of the rows match a city), or
# Without an index it is every listing.
MOST_ROWS_READ = 600
# Around a point the search reads the listings inside the bounding box (a 10 km box over a
# city of 2,000 listings scattered 30 km around it), then sorts them by distance: that
# grows with the listings' density, not flat (docs/benchmarks.md says so).
MOST_ROWS_READ_AROUND_A_POINT = LISTINGS // 10

PARIS = {"latitude": Decimal("48.8566"), "longitude": Decimal("2.3522")}
CASES = [
    # (what, filters, ordering, index expected)
    ("newest first", {}, "newest", "listings_status_created"),
    ("cheapest first", {}, "price", "listings_status_price"),
    ("dearest first", {}, "-price", "listings_status_price"),
    ("best rated first", {}, "rating", "listings_status_rating"),
    (
        "a price range, cheapest first",
        {"price_max": Decimal(100)},
        "price",
        "listings_status_price",
    ),
    ("a common city, best rated", {"city": "paris"}, "rating", "listings_status_rating"),
    ("a common country, best rated", {"country": "fr"}, "rating", "listings_status_rating"),
    ("a city with few listings", {"city": "oslo"}, "newest", "listings_city_ci"),
    ("a country with few listings", {"country": "no"}, "newest", "listings_country_status"),
    ("around a point, nearest first", {**PARIS, "radius_km": 10}, "distance", "listings_lat_lng"),
]


@pytest.fixture
def big_marketplace(alpha, host):
    """alpha with 20,000 listings in ten cities, and 30 in Oslo (rolled back after)."""
    with tenant_context(alpha.tenant), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        insert_listings(cursor, host_id=host.pk, count=LISTINGS)
        cursor.execute(
            "UPDATE listings_property SET city = 'Oslo', country = 'NO' WHERE id IN "
            "(SELECT id FROM listings_property ORDER BY id LIMIT 30)"
        )
        cursor.execute("ANALYZE listings_property")
    return alpha


def _listing_scans(plan: dict) -> list[dict]:
    """The plan nodes that read the listings table (directly or through a bitmap)."""
    found = []
    if plan.get("Relation Name") == Property._meta.db_table or (
        plan.get("Index Name", "").startswith("listings_") and "Relation Name" not in plan
    ):
        found.append(plan)
    for child in plan.get("Plans", []):
        found += _listing_scans(child)
    return found


def _first_page_plan(filters: dict, ordering: str) -> dict:
    found, order_by = property_search_sorted(filters=SearchFilters(**filters), ordering=ordering)
    sql, params = found.order_by(*order_by)[:21].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON, TIMING OFF) " + sql, params)
        return cursor.fetchone()[0][0]["Plan"]


def _rows_read(scans: list[dict]) -> int:
    # A bitmap heap scan's rows come from its bitmap index scan: count the heap's only.
    heap = [s for s in scans if s["Node Type"] != "Bitmap Index Scan"]
    return sum(s["Actual Rows"] + s.get("Rows Removed by Filter", 0) for s in heap)


def test_each_search_first_page_is_served_by_its_index(big_marketplace):
    # One test over every case: the 20,000 listings are inserted once.
    problems = []
    with tenant_context(big_marketplace.tenant):
        for what, filters, ordering, index in CASES:
            scans = _listing_scans(_first_page_plan(filters, ordering))
            used = {scan.get("Index Name") for scan in scans}
            limit = MOST_ROWS_READ_AROUND_A_POINT if "radius_km" in filters else MOST_ROWS_READ
            if index not in used or any(s["Node Type"] == "Seq Scan" for s in scans):
                problems.append(f"{what}: {index} not used ({used})")
            elif (read := _rows_read(scans)) > limit:
                problems.append(f"{what}: {read} rows read, more than {limit}")

    assert not problems


def test_without_the_rating_index_the_rating_order_reads_every_listing(big_marketplace):
    """The counter-proof: the same query with the index dropped (rolled back with the test)
    reads the whole table, so the test above would catch the index going missing."""
    with tenant_context(big_marketplace.tenant):
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX listings_status_rating")
        scans = _listing_scans(_first_page_plan({}, "rating"))

    assert _rows_read(scans) >= LISTINGS
