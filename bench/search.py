"""Read-path benchmark (issue 16): search and property detail, REST and GraphQL, cache off
and warm, each as a ratio of its request rate to a bare Django JSON view served by the same
gunicorn (2 workers, 4 client threads) over 20,000 listings; plus the listings cache's hit
ratio under 95% reads and 5% bookings.

    make bench-search          # or: .venv/bin/python bench/search.py [--listings 20000]

Every case is interleaved with its own baseline (ABAB… in four slices) and repeated three
times; the ratio printed is the median of the three. The machine's load average is printed
with each case: the machine may be shared, which is why only ratios are compared. BENCH_PORT
sets the server's port. `main()` returns the rows (case, ratio, goal) for bench aggregators.

Runs in a throw-away database. Each listing has up to four bookings and three host blocks
in the next months, so date searches exclude real conflicts.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["EMAIL_URL"] = "dummymail://"

from bench.common import drop_database, use_throwaway_database  # noqa: E402
from bench.listings_sql import CITIES  # noqa: E402  (one set of cities for every bench)
from bench.web import Call, interleaved, load, start_server, stop_server  # noqa: E402

# BENCH_SEARCH_SEEDED=1: DATABASE_URL already holds seed()'s data and is kept (profiling).
SEEDED = os.environ.get("BENCH_SEARCH_SEEDED") == "1"
DATABASE = "" if SEEDED else use_throwaway_database("bench_search")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from shared_apps.accounts.selectors import user_by_email  # noqa: E402
from shared_apps.tenants.services import platform_ensure_public_tenant, tenant_provision  # noqa: E402
from tenant_apps.bookings.models import Booking  # noqa: E402
from tenant_apps.listings.constants import DEFAULT_AMENITIES  # noqa: E402
from tenant_apps.listings.models import (  # noqa: E402
    Amenity,
    AvailabilityBlock,
    Property,
    PropertyPhoto,
)

HOST = "bench.localhost"
TYPES = ["apartment", "house", "cabin", "villa", "room", "loft"]


def seed(listings: int) -> None:
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    platform_ensure_public_tenant()
    tenant = tenant_provision(name="Bench", slug="bench", admin_email="admin@bench.test").tenant
    rng = random.Random(42)  # noqa: S311  (test data)
    host = user_by_email(email="admin@bench.test")
    with tenant_context(tenant):
        amenities = list(Amenity.objects.all())
        props = []
        for _ in range(listings):
            city, country, lat, lng = rng.choice(CITIES)
            props.append(
                Property(
                    host=host, title=f"Stay in {city}", street="1 Main St", city=city,
                    country=country, status="published",
                    latitude=Decimal(lat + rng.uniform(-0.3, 0.3)).quantize(Decimal("0.000001")),
                    longitude=Decimal(lng + rng.uniform(-0.3, 0.3)).quantize(Decimal("0.000001")),
                    nightly_price=Decimal(rng.randint(40, 900)), max_guests=rng.randint(1, 10),
                    bedrooms=rng.randint(0, 5), property_type=rng.choice(TYPES),
                    instant_book=rng.random() < 0.4, min_nights=rng.choice([1, 1, 2, 3, 7]),
                    rating_average=Decimal(rng.randint(300, 500)) / 100,
                    rating_count=rng.randint(1, 40),
                )
            )  # fmt: skip
        for p in rng.sample(props, len(props) // 4):  # a quarter not rated yet
            p.rating_average, p.rating_count = None, 0
        Property.objects.bulk_create(props, batch_size=2000)
        through = Property.amenities.through
        links = [
            through(property_id=p.pk, amenity_id=a.pk)
            for p in props
            for a in rng.sample(amenities, rng.randint(2, 7))
        ]
        through.objects.bulk_create(links, batch_size=5000)
        PropertyPhoto.objects.bulk_create(
            [
                PropertyPhoto(property=p, image=f"bench/{p.pk}.jpg", width=800, height=533)
                for p in props
            ],
            batch_size=5000,
        )
        today = date.today()  # noqa: DTZ011
        blocks = []
        for p in props:
            for _ in range(rng.randint(0, 3)):
                start = today + timedelta(days=rng.randint(1, 120))
                blocks.append(
                    AvailabilityBlock(
                        property=p, start=start, end=start + timedelta(days=rng.randint(1, 10))
                    )
                )
        # Blocks may overlap here: the API refuses that, the search copes either way.
        AvailabilityBlock.objects.bulk_create(blocks, batch_size=5000)
        guest = user_by_email(email="admin@bench.test")
        bookings = []
        for p in props:
            start = today + timedelta(days=rng.randint(1, 20))
            for _ in range(rng.randint(0, 4)):  # consecutive stays: never overlapping
                nights = rng.randint(2, 7)
                total = p.nightly_price * nights
                bookings.append(
                    Booking(
                        property=p, guest=guest, check_in=start,
                        check_out=start + timedelta(days=nights), guests=1,
                        status=rng.choice(["confirmed", "confirmed", "requested"]),
                        currency="USD", nights=nights, nightly_price=p.nightly_price,
                        subtotal=total, cleaning_fee=0, guest_fee=0, host_fee=0, taxes=0,
                        total=total, cancellation_policy="moderate",
                    )
                )  # fmt: skip
                start += timedelta(days=nights + rng.randint(0, 10))
        Booking.objects.bulk_create(bookings, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()


def search_params(count: int) -> list[dict]:
    rng = random.Random(7)  # noqa: S311
    codes = [code for code, _ in DEFAULT_AMENITIES]
    today = date.today()  # noqa: DTZ011
    searches = []
    for _ in range(count):
        city, country, lat, lng = rng.choice(CITIES)
        params = {}
        kind = rng.random()
        if kind < 0.3:
            params["city"] = city
        elif kind < 0.6:
            params.update(
                latitude=f"{lat:.4f}", longitude=f"{lng:.4f}", radius_km=rng.choice([5, 10, 25])
            )
        else:
            params["country"] = country
        if rng.random() < 0.5:
            low = rng.randint(40, 400)
            params.update(price_min=low, price_max=low + rng.randint(50, 400))
        if rng.random() < 0.4:
            params["guests"] = rng.randint(1, 6)
        if rng.random() < 0.3:
            params["amenities"] = ",".join(rng.sample(codes, 2))
        if rng.random() < 0.5:
            start = today + timedelta(days=rng.randint(1, 90))
            params.update(check_in=start, check_out=start + timedelta(days=rng.randint(2, 7)))
        params["ordering"] = rng.choice(["newest", "price", "-price", "rating"])
        searches.append(params)
    return searches


def rest_call(params: dict) -> Call:
    return Call("/api/v1/properties?" + "&".join(f"{k}={v}" for k, v in params.items()))


# The fields of the REST search's answer, so both APIs do the same work per listing.
GRAPHQL_SEARCH = """query Search($city: String, $country: String, $latitude: Decimal,
  $longitude: Decimal, $radiusKm: Float, $priceMin: Decimal, $priceMax: Decimal, $guests: Int,
  $amenities: [String!], $checkIn: Date, $checkOut: Date, $ordering: String) {
  properties(city: $city, country: $country, latitude: $latitude, longitude: $longitude,
      radiusKm: $radiusKm, priceMin: $priceMin, priceMax: $priceMax, guests: $guests,
      amenities: $amenities, checkIn: $checkIn, checkOut: $checkOut, ordering: $ordering) {
    items {
      id title description propertyType latitude longitude nightlyPrice cleaningFee currency
      maxGuests bedrooms beds bathrooms amenities instantBook minNights maxNights checkInTime
      checkOutTime cancellationPolicy status ratingAverage ratingCount distanceKm created updated
      address { street city region postalCode country }
      photos { id url width height position caption }
      host { id firstName avatarUrl }
    }
    nextCursor
  }
}"""


def graphql_call(params: dict) -> Call:
    variables = {}
    for key, value in params.items():
        head, *rest = key.split("_")
        name = head + "".join(part.title() for part in rest)
        if key == "amenities":
            value = value.split(",")
        elif key in ("price_min", "price_max", "latitude", "longitude"):
            value = str(value)
        elif key in ("check_in", "check_out"):
            value = value.isoformat()
        variables[name] = value
    return Call("/graphql/", method="POST", body={"query": GRAPHQL_SEARCH, "variables": variables})


def check_answers(calls: list[Call]) -> None:
    """A benchmark of error answers measures nothing: every call must answer 200 (and a
    GraphQL one without errors)."""
    import http.client
    import json

    from bench.web import PORT

    for call in calls:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        headers = {"Host": HOST, "Content-Type": "application/json"}
        body = json.dumps(call.body) if call.body is not None else None
        conn.request(call.method, call.path, body=body, headers=headers)
        response = conn.getresponse()
        answer = response.read()
        conn.close()
        if response.status != 200 or b'"errors"' in answer[:20]:
            raise SystemExit(f"{call.method} {call.path} failed: {response.status} {answer[:300]}")


def city_dates_guests(count: int) -> list[dict]:
    """The issue's search: a city, dates and a number of guests (varied)."""
    rng = random.Random(11)  # noqa: S311
    today = date.today()  # noqa: DTZ011
    searches = []
    for _ in range(count):
        start = today + timedelta(days=rng.randint(1, 90))
        searches.append(
            {
                "city": rng.choice(CITIES)[0],
                "check_in": start,
                "check_out": start + timedelta(days=rng.randint(2, 7)),
                "guests": rng.randint(1, 6),
                "ordering": rng.choice(["newest", "price", "-price", "rating"]),
            }
        )
    return searches


def detail_calls(count: int) -> list[Call]:
    with tenant_context(_tenant()):
        ids = list(Property.objects.order_by("?").values_list("pk", flat=True)[:count])
    connection.close()
    return [Call(f"/api/v1/properties/{pk}") for pk in ids]


def _tenant():
    from shared_apps.tenants.models import Tenant

    return Tenant.objects.get(schema_name="bench")


# (case, goal): the read-path rows.
CASES = {
    "search, city + dates + guests, cache off": 0.6,
    "property detail, cache off": 0.7,
    "search, cache warm": 0.9,
    "GraphQL search, cache warm": 0.9,
    "property detail, cache warm": 0.9,
}
# Floors (no goal): the bare view plus only what a case can't avoid (bench/urls.py).
FLOORS = {
    "floor: bare view + one Redis GET (20 KB), under the warm cases": "/bench/floor/redis-get",
    "floor: bare view + the search's SQL alone (cache off)": "/bench/floor/search-sql",
    "floor: bare view + the detail's SQL alone (cache off)": "/bench/floor/detail-sql",
}
# Passes over a case's calls before it is measured warm: after the first, each worker
# misses a given answer with probability 1/2 per pass.
WARM_PASSES = 6
HIT_RATIO_CASE = "listings cache hit ratio, 95% reads / 5% bookings"
HIT_RATIO_GOAL = 0.9
GUEST_EMAIL = "guest@bench.test"


def measure(name: str, calls: list[Call], repeats: int) -> dict:
    """`calls` interleaved with the bare view, `repeats` times: the median ratio of rates."""
    bare = [Call("/bench/bare")] * len(calls)
    ratios, loads = [], []
    for _ in range(repeats):
        loads.append(os.getloadavg()[0])
        results = interleaved(HOST, {"bare": bare, name: calls})
        bad = {code: n for code, n in results[name][2].items() if code != 200}
        if bad:
            raise SystemExit(f"{name}: non-200 answers {bad}")
        ratios.append(results[name][1] / results["bare"][1])
    ratio = statistics.median(ratios)
    row = {
        "case": name, "ratio": round(ratio, 2), "goal": CASES.get(name),
        "ratios": [round(r, 2) for r in ratios], "load": round(statistics.mean(loads), 2),
        "rate": round(results[name][1], 1), "bare_rate": round(results["bare"][1], 1),
        "shown": f"{ratio:.2f}x ({results[name][1]:.0f} vs {results['bare'][1]:.0f} req/s; "
        f"repeats {', '.join(f'{r:.2f}' for r in ratios)})",
    }  # fmt: skip
    _print(row)
    return row


def _print(row: dict) -> None:
    if row["goal"] is None:
        verdict = "(no goal)"
    else:
        verdict = "meets" if row["ratio"] >= row["goal"] else "BELOW"
    extra = ""
    if "ratios" in row:
        extra = (
            f"  repeats {row['ratios']}  last: {row['rate']} req/s vs bare {row['bare_rate']}"
            f"  load {row['load']}"
        )
    goal = "" if row["goal"] is None else f"goal >= {row['goal']}"
    print(f"{row['case']:<56} {row['ratio']:5.2f}x  {goal}  {verdict}{extra}")


def hit_ratio(operations: int = 2000, reads_per_kind: int = 200) -> dict:
    """In-process: reads (searches and details, a fixed set people repeat) and bookings in a
    95/5 mix; a read answered without any SQL statement is a hit. Half the bookings are of
    a listing the last search showed, for nights inside its dates (the worst case for the
    cache: that answer must be renewed)."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shared_apps.accounts.constants import Role
    from shared_apps.accounts.tests.factories import member_factory
    from shared_apps.core.errors import ApplicationError
    from tenant_apps.bookings.services import booking_create

    tenant = _tenant()
    guest = (
        user_by_email(email=GUEST_EMAIL)
        or member_factory(tenant, Role.GUEST, email=GUEST_EMAIL).user
    )
    client = Client(HTTP_HOST=HOST)
    rng = random.Random(5)  # noqa: S311
    searches = city_dates_guests(reads_per_kind * 3 // 4) + search_params(reads_per_kind // 4)
    reads = [rest_call(p).path for p in searches]
    reads += [call.path for call in detail_calls(reads_per_kind)]
    for path in reads:  # people have asked these before
        client.get(path)
    hits = misses = bookings = 0
    last: tuple[list, dict] = ([], {})
    for _ in range(operations):
        if rng.random() < 0.05:
            ids, params = last
            if ids and rng.random() < 0.5:
                pk, check_in = rng.choice(ids), date.fromisoformat(str(params["check_in"]))
            else:
                with tenant_context(tenant):
                    pk = Property.objects.order_by("?").values_list("pk", flat=True).first()
                check_in = date.today() + timedelta(days=rng.randint(1, 90))  # noqa: DTZ011
            try:
                with tenant_context(tenant):
                    booking_create(
                        property_id=pk, guest=guest, check_in=check_in,
                        check_out=check_in + timedelta(days=1), guests=1,
                    )  # fmt: skip
                bookings += 1
            except ApplicationError:
                pass  # taken dates, or the listing's rules: no write, no invalidation
            continue
        path = rng.choice(reads)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if queries.captured_queries:
            misses += 1
        else:
            hits += 1
        if "check_in" in path and response.status_code == 200:
            from urllib.parse import parse_qsl, urlsplit

            params = dict(parse_qsl(urlsplit(path).query))
            last = ([row["id"] for row in response.json()["results"]], params)
    ratio = hits / (hits + misses)
    row = {"case": HIT_RATIO_CASE, "ratio": round(ratio, 3), "goal": HIT_RATIO_GOAL,
           "shown": f"{ratio:.3f} ({hits} hits, {misses} misses, {bookings} bookings)"}  # fmt: skip
    print(
        f"{row['case']:<56} {row['ratio']:5.3f}   goal >= {HIT_RATIO_GOAL}  "
        f"{'meets' if row['ratio'] >= HIT_RATIO_GOAL else 'BELOW'}  "
        f"({hits} hits, {misses} misses, {bookings} bookings made)"
    )
    return row


def main(argv: list[str] | None = None) -> list[dict]:
    quick = os.environ.get("BENCH_QUICK") == "1"  # a smoke run: tiny data, figures meaningless
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=500 if quick else 20000)
    parser.add_argument(
        "--requests", type=int, default=40 if quick else 400, help="per case and repeat"
    )
    parser.add_argument("--repeats", type=int, default=1 if quick else 3)
    parser.add_argument("--operations", type=int, default=300 if quick else 2000,
                        help="reads and bookings of the hit-ratio measurement")  # fmt: skip
    args = parser.parse_args(argv)
    rows: list[dict] = []
    try:
        if not SEEDED:
            started = time.monotonic()
            seed(args.listings)
            print(f"Seeded {args.listings} listings in {time.monotonic() - started:.0f}s.")
        print(
            f"gunicorn 2 workers, 4 client threads, {args.requests} requests per case, each "
            f"interleaved with the bare view, median of {args.repeats}; "
            f"{os.cpu_count()} CPUs, load average now {os.getloadavg()[0]:.2f}."
        )
        searches = [rest_call(p) for p in city_dates_guests(args.requests)]
        graphql = [graphql_call(p) for p in city_dates_guests(args.requests)]
        details = detail_calls(args.requests)
        for cache in (False, True):
            server = start_server(HOST, LISTINGS_CACHE="1" if cache else "0")
            try:
                check_answers(searches[:20] + graphql[:20] + details[:20])
                if not cache:
                    rows.append(measure("search, city + dates + guests, cache off", searches,
                                        args.repeats))  # fmt: skip
                    rows.append(measure("property detail, cache off", details, args.repeats))
                    for name, floor in FLOORS.items():
                        rows.append(measure(name, [Call(floor)] * len(searches), args.repeats))
                    continue
                # Warm means in Redis and held by each worker (the first pass computes and
                # stores; later ones land on either worker, which then holds the answer).
                for name, calls in (("search, cache warm", searches),
                                    ("GraphQL search, cache warm", graphql),
                                    ("property detail, cache warm", details)):  # fmt: skip
                    for _ in range(WARM_PASSES):
                        load(HOST, calls)
                    rows.append(measure(name, calls, args.repeats))
            finally:
                stop_server(server)
        rows.append(hit_ratio(args.operations, reads_per_kind=40 if quick else 200))
    finally:
        connection.close()
        if not SEEDED:
            drop_database(DATABASE)
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
