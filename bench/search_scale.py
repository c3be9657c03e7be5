"""Search at scale: the time of a search's first page in a marketplace of 1,000 listings
and in one of 100,000 (same cities, prices and ratings spread, so the same share of rows
match), for every ordering and the place filters. Flat is the goal: an index serves each
page, so it reads the same few rows whatever the marketplace's size
(tenant_apps/listings/tests/test_indexes.py proves the plans).

    make bench-search-scale   # or: .venv/bin/python bench/search_scale.py [--large 100000]

Runs in a throw-away database; the listings are inserted by one SQL statement each
(bench/listings_sql.py). What is timed is the page's queries as the search API runs them
(the search with its ORDER BY and LIMIT, its host join and its prefetches), in process,
the two marketplaces taking turns, median of the repeats; serializing the page costs the
same at any size and is measured by bench/search.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["EMAIL_URL"] = "dummymail://"

from bench.common import drop_database, use_throwaway_database  # noqa: E402

DATABASE = use_throwaway_database("bench_search_scale")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from bench.listings_sql import insert_listings  # noqa: E402
from shared_apps.tenants.services import platform_ensure_public_tenant, tenant_provision  # noqa: E402
from tenant_apps.listings.selectors import SearchFilters, property_search_sorted  # noqa: E402

PARIS = {"latitude": Decimal("48.8566"), "longitude": Decimal("2.3522")}
# (case, filters, ordering): the row of issue 16's table first.
CASES = [
    ("rating", {}, "rating"),
    ("price", {}, "price"),
    ("newest", {}, "newest"),
    ("country", {"country": "PT"}, None),
    ("city", {"city": "lisbon"}, None),
    ("city, by rating", {"city": "lisbon"}, "rating"),
    ("distance, 10 km radius", {**PARIS, "radius_km": 10}, "distance"),
    ("distance, no radius", PARIS, "distance"),
]


def seed(sizes: dict[str, int]) -> dict:
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    platform_ensure_public_tenant()
    tenants = {}
    for slug, count in sizes.items():
        result = tenant_provision(name=slug, slug=slug, admin_email=f"host@{slug}.test")
        with tenant_context(result.tenant), connection.cursor() as cursor:
            insert_listings(cursor, host_id=result.admin.pk, count=count)
        tenants[slug] = result.tenant
    connection.close()
    return tenants


def first_page(filters: dict, ordering: str | None) -> float:
    """Seconds to read a search's first page, as the API does (page of 20, one more row to
    know whether a next page exists)."""
    started = time.perf_counter()
    found, order_by = property_search_sorted(filters=SearchFilters(**filters), ordering=ordering)
    rows = list(found.order_by(*order_by)[:21])
    elapsed = time.perf_counter() - started
    assert rows or filters, "the bench data holds listings for every case"
    return elapsed


def main(argv: list[str] | None = None) -> list[dict]:
    quick = os.environ.get("BENCH_QUICK") == "1"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=200 if quick else 1_000)
    parser.add_argument("--large", type=int, default=5_000 if quick else 100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pages", type=int, default=5 if quick else 30, help="per repeat")
    args = parser.parse_args(argv)
    small, large = f"{args.small:,}", f"{args.large:,}"
    try:
        started = time.monotonic()
        tenants = seed({"small": args.small, "large": args.large})
        print(f"Seeded {small} and {large} listings in {time.monotonic() - started:.0f}s.")
        times = {(case, size): [] for case, *_ in CASES for size in tenants}
        for _ in range(args.repeats):
            for case, filters, ordering in CASES:
                for size, tenant in tenants.items():  # the two sizes take turns
                    with tenant_context(tenant):
                        first_page(filters, ordering)  # warm: plans, caches
                        pages = [first_page(filters, ordering) for _ in range(args.pages)]
                    times[case, size].append(statistics.median(pages))
        rows = []
        print(f"{'first page of a search':<28} {small:>10} {large:>10}  ratio (goal <= 1.2x)")
        for case, *_ in CASES:
            at_small = statistics.median(times[case, "small"]) * 1000
            at_large = statistics.median(times[case, "large"]) * 1000
            ratio = at_large / at_small
            print(f"{case:<28} {at_small:7.2f} ms {at_large:7.2f} ms  {ratio:5.2f}x")
            rows.append({
                "case": f"search ordered by {case}, {large} listings" if case in (
                    "rating", "price", "newest") else f"search by {case}, {large} listings",
                "table_case": f"search ordered by {case}, 100,000 listings",
                "ratio": ratio, "goal": 1.2, "goal_text": "<= 1.2x", "lower_is_better": True,
                "shown": f"{ratio:.2f}x the time at {small} ({at_small:.1f} -> {at_large:.1f} ms)",
            })  # fmt: skip
        return rows
    finally:
        connection.close()
        drop_database(DATABASE)


if __name__ == "__main__":
    main()
