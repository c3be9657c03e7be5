"""Booking benchmark: booking-creation throughput and latency under concurrent load on
distinct listings, and under contention on one listing, next to a bare Django view on the
same gunicorn server (2 workers), from 4 client threads. The three take turns in four
slices per repeat (bench.web.interleaved), so every ratio has a baseline measured alongside
it; the ratio reported is the median over the repeats.

    make bench-bookings        # or: .venv/bin/python bench/bookings.py [--requests 400]

Under contention every request targets overlapping dates of one listing: one wins, the rest
get 409 (the row lock queues them, the exclusion constraint has the last word).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["EMAIL_URL"] = "dummymail://"
os.environ["THROTTLE_BOOKING"] = "100000/min"  # measure booking, not the throttle

from bench.common import drop_database, use_throwaway_database  # noqa: E402
from bench.web import Call, interleaved, report, start_server, stop_server  # noqa: E402

DATABASE = use_throwaway_database("bench_bookings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from shared_apps.accounts.constants import Role  # noqa: E402
from shared_apps.accounts.services import membership_grant, user_create  # noqa: E402
from shared_apps.accounts.tokens import tokens_for_user  # noqa: E402
from shared_apps.tenants.services import platform_ensure_public_tenant, tenant_provision  # noqa: E402
from tenant_apps.listings.models import Property, PropertyPhoto  # noqa: E402

HOST = "bench.localhost"


def seed(listings: int, guests: int):
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    platform_ensure_public_tenant()
    tenant = tenant_provision(name="Bench", slug="bench", admin_email="host@bench.test").tenant
    host = tenant.memberships.get().user
    people = []
    for n in range(guests):
        user = user_create(email=f"guest{n}@bench.test", password=None)  # tokens suffice
        membership_grant(user=user, tenant=tenant, role=Role.GUEST)
        people.append(user)
    with tenant_context(tenant):
        props = Property.objects.bulk_create(
            Property(
                host=host, title="Bench stay", street="1 Main St", city="Lyon", country="FR",
                status="published", nightly_price=Decimal("100"), max_guests=4,
            )
            for _ in range(listings)
        )  # fmt: skip
        PropertyPhoto.objects.bulk_create(
            PropertyPhoto(property=p, image=f"bench/{p.pk}.jpg", width=1, height=1) for p in props
        )
        tokens = [tokens_for_user(user=user)["access"] for user in people]
    connection.close()
    return [str(p.pk) for p in props], tokens


def booking_calls(listing_ids, tokens, count: int, *, contended: bool, start: date) -> list[Call]:
    """`count` booking requests for stays from `start` on."""
    calls = []
    for n in range(count):
        listing = listing_ids[0] if contended else listing_ids[n % len(listing_ids)]
        # Distinct listings: each gets consecutive non-overlapping stays. One listing: all
        # requests ask for the same nights.
        offset = 0 if contended else (n // len(listing_ids)) * 3
        body = {
            "property_id": listing, "check_in": start + timedelta(days=offset),
            "check_out": start + timedelta(days=offset + 2), "guests": 1,
        }  # fmt: skip
        auth = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
        calls.append(Call("/api/v1/bookings", "POST", body, auth))
    return calls


DISTINCT = "booking creation, distinct listings"
CONTENDED = "booking creation, one listing (contention)"


def main(argv: list[str] | None = None) -> list[dict]:
    """Prints each repeat and returns the rows of `make bench`'s table (bench/run_all.py)."""
    quick = os.environ.get("BENCH_QUICK") == "1"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40 if quick else 400)
    parser.add_argument("--repeats", type=int, default=1 if quick else 3)
    args = parser.parse_args(argv)
    rates: dict[str, list[float]] = {DISTINCT: [], CONTENDED: []}
    try:
        listing_ids, tokens = seed(listings=20 if quick else 200, guests=20)
        print(
            f"gunicorn 2 workers, 4 client threads, {args.requests} requests per case; "
            f"{args.repeats} repeats, each with its own baseline, the cases taking turns."
        )
        server = start_server(HOST)
        try:
            distinct = listing_ids[:-1]
            # Each repeat books nights after the previous one's (the distinct case's stays
            # run `span` days: three per round over the listings).
            span = (args.requests // len(distinct) + 1) * 3
            for week in range(args.repeats):
                start = date.today() + timedelta(days=30 + week * span)  # noqa: DTZ011
                # The last listing is kept free for the contention case.
                results = interleaved(HOST, {
                    "bare Django view": [Call("/bench/bare")] * args.requests,
                    DISTINCT: booking_calls(
                        distinct, tokens, args.requests, contended=False, start=start
                    ),
                    CONTENDED: booking_calls(
                        listing_ids[-1:], tokens, args.requests, contended=True, start=start
                    ),
                })  # fmt: skip
                # A benchmark of refusals measures nothing: every stay on distinct listings
                # is booked; on one listing one wins and the rest conflict.
                if results[DISTINCT][2] != {201: args.requests} or results[CONTENDED][2] != {
                    201: 1,
                    409: args.requests - 1,
                }:
                    answers = {case: result[2] for case, result in results.items()}
                    raise SystemExit(f"unexpected answers: {answers}")
                print(f"repeat {week + 1}:")
                base = report("bare Django view", *results["bare Django view"])
                for case in (DISTINCT, CONTENDED):
                    rates[case].append(report(case, *results[case], base=base)[2] / base[2])
        finally:
            stop_server(server)
    finally:
        connection.close()
        drop_database(DATABASE)
    rows = [
        {"case": DISTINCT, "ratio": statistics.median(rates[DISTINCT]), "goal": 0.4},
        # One request wins each round, the rest are 409s: how fast a conflict is refused.
        {"case": CONTENDED, "ratio": statistics.median(rates[CONTENDED]), "goal": None},
    ]
    for row in rows:
        print(f"{row['case']}: {row['ratio']:.2f}x a bare view (median of {args.repeats})")
    return rows


if __name__ == "__main__":
    main()
