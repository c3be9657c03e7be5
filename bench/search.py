"""Search benchmark: 20,000 listings in one marketplace, with host blocks, served by
gunicorn; p50/p95 latency and throughput of varied searches through REST (cache off and on)
and the same searches through GraphQL (same fields), next to a bare Django view on the same
server (same middleware and tenant resolution), as ratios. The three cases take turns in
four slices each, so a change in the (shared) machine's load weighs on all of them alike.

    make bench-search          # or: .venv/bin/python bench/search.py [--listings 20000]

Runs in a throw-away database. Each listing has up to four bookings and three host blocks
in the next months, so date searches exclude real conflicts.
"""

from __future__ import annotations

import argparse
import os
import random
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
from bench.web import (  # noqa: E402
    Call,
    interleaved,
    load,
    report,
    start_server,
    stop_server,
)

DATABASE = use_throwaway_database("bench_search")

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
CITIES = [
    ("Paris", "FR", 48.8566, 2.3522), ("Lyon", "FR", 45.7640, 4.8357),
    ("Zurich", "CH", 47.3769, 8.5417), ("Geneva", "CH", 46.2044, 6.1432),
    ("Berlin", "DE", 52.5200, 13.4050), ("Munich", "DE", 48.1351, 11.5820),
    ("Rome", "IT", 41.9028, 12.4964), ("Milan", "IT", 45.4642, 9.1900),
    ("Madrid", "ES", 40.4168, -3.7038), ("Lisbon", "PT", 38.7223, -9.1393),
]  # fmt: skip
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
    """A benchmark of error answers measures nothing: every GraphQL search must succeed."""
    import http.client
    import json

    from bench.web import PORT

    for call in calls:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        headers = {"Host": HOST, "Content-Type": "application/json"}
        conn.request(call.method, call.path, body=json.dumps(call.body), headers=headers)
        body = json.loads(conn.getresponse().read())
        conn.close()
        if "errors" in body:
            raise SystemExit(f"GraphQL search failed: {body['errors']} for {call.body}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quick = os.environ.get("BENCH_QUICK") == "1"  # make bench's smoke test: tiny data
    parser.add_argument("--listings", type=int, default=200 if quick else 20000)
    parser.add_argument("--requests", type=int, default=20 if quick else 400)
    args = parser.parse_args()
    try:
        started = time.monotonic()
        seed(args.listings)
        print(
            f"Seeded {args.listings} listings in {time.monotonic() - started:.0f}s; "
            f"gunicorn 2 workers, 4 client threads, {args.requests} requests per case."
        )
        searches = search_params(args.requests)
        for cache in (False, True):
            server = start_server(HOST, LISTINGS_CACHE="1" if cache else "0")
            try:
                rest_calls = [rest_call(params) for params in searches]
                graphql_calls = [graphql_call(params) for params in searches]
                check_answers(graphql_calls)
                if cache:  # fill the cache: the measured pass repeats them
                    load(HOST, rest_calls)
                    load(HOST, graphql_calls)
                label = f"cache {'on (warm)' if cache else 'off'}"
                # GraphQL (anonymous here) is answered from its cache like REST when warm.
                results = interleaved(HOST, {
                    "bare Django view": [Call("/bench/bare")] * args.requests,
                    f"REST search, {label}": rest_calls,
                    f"GraphQL search, {label}": graphql_calls,
                })  # fmt: skip
                names = list(results)
                base = report(names[0], *results[names[0]])
                rest = report(names[1], *results[names[1]], base=base)
                graphql = report(names[2], *results[names[2]], base=base)
                print(
                    f"{'GraphQL / REST':<34} p50 {graphql[0] / rest[0]:5.2f}x  "
                    f"p95 {graphql[1] / rest[1]:5.2f}x  rate {graphql[2] / rest[2]:4.2f}x"
                )
            finally:
                stop_server(server)
    finally:
        connection.close()
        drop_database(DATABASE)


if __name__ == "__main__":
    main()
