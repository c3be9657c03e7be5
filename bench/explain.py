"""EXPLAIN plans of the queries each index serves (docs/database.md), on the search
benchmark's data: 20,000 published listings with blocks and bookings (bench/search.py), plus
a review for each of the first 5,000 bookings and 5,000 members of the marketplace.

    .venv/bin/python bench/explain.py [--listings 20000]

Runs in a throw-away database; prints each query's EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF,
SUMMARY OFF): the plan and the rows each step really returned, without timings that vary
from run to run."""

# ruff: noqa: I001  (bench.search must come first: it creates the database, then sets Django up)
from __future__ import annotations

import argparse
import re
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import search  # noqa: E402  (creates the throw-away database and sets Django up)
from bench.common import drop_database  # noqa: E402

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context, tenant_context  # noqa: E402

from shared_apps.accounts.constants import Role  # noqa: E402
from shared_apps.accounts.models import Membership, User, normalize_email  # noqa: E402
from shared_apps.core.models import OutboxMessage  # noqa: E402
from shared_apps.tenants.models import Domain, SpareSchema, Tenant  # noqa: E402
from tenant_apps.bookings.models import Booking  # noqa: E402
from tenant_apps.bookings.constants import HOLDING_STATUSES  # noqa: E402
from tenant_apps.listings.models import AvailabilityBlock, Property  # noqa: E402
from tenant_apps.listings.selectors import SearchFilters, property_search_sorted  # noqa: E402
from tenant_apps.payments.models import Payment, WebhookEvent  # noqa: E402
from tenant_apps.reviews.models import Review  # noqa: E402


UNUSABLE = "!"  # Django's mark of an unusable password: nobody logs in as these  # noqa: S105


def seed_more() -> Tenant:
    tenant = Tenant.objects.get(schema_name="bench")
    users = User.objects.bulk_create(
        [User(email=f"member{i}@bench.test", password=UNUSABLE) for i in range(5000)],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, tenant=tenant, role=Role.HOST if i % 10 == 0 else Role.GUEST)
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    Domain.objects.bulk_create(
        [Domain(tenant=tenant, domain=f"stays{i}.example", is_primary=False) for i in range(5000)],
        batch_size=2000,
    )
    with tenant_context(tenant):
        bookings = list(Booking.objects.order_by("id")[:5000])
        Payment.objects.bulk_create(
            [
                Payment(
                    booking=b, attempt=1, provider="stripe", reference=f"pi_{i}",
                    amount=b.total, currency="USD",
                )
                for i, b in enumerate(bookings)
            ],
            batch_size=2000,
        )  # fmt: skip
        WebhookEvent.objects.bulk_create(
            [
                WebhookEvent(provider="stripe", event_id=f"evt_{i}", type="x", payload={})
                for i in range(5000)
            ],
            batch_size=2000,
        )
        Review.objects.bulk_create(
            [
                Review(
                    property_id=b.property_id, booking=b, guest=users[i], rating=4 + i % 2,
                    comment="A lovely stay, as described.",
                )
                for i, b in enumerate(bookings)
            ],
            batch_size=2000,
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return tenant


def explain(title: str, sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"### {title}\n\n```sql\n{_inline(sql, params)}\n```\n\n```\n{plan}\n```\n")


def _inline(sql: str, params) -> str:
    # The column list says nothing about the plan: shortened, with the parameters it held
    # (an annotation's, such as the distance's or the rating's), so the rest line up.
    columns = re.match(r"^SELECT .*? FROM ", sql)
    if columns:
        params = list(params)[columns.group(0).count("%s") :]
    sql = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", sql, count=1)
    for value in params:
        sql = sql.replace("%s", repr(str(value)) if not isinstance(value, int) else str(value), 1)
    return sql


def explain_queryset(title: str, queryset) -> None:
    sql, params = queryset.query.sql_with_params()
    explain(title, sql, params)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listings", type=int, default=20000)
    args = parser.parse_args()
    try:
        search.seed(args.listings)
        tenant = seed_more()
        today = date.today()  # noqa: DTZ011
        stay = (today + timedelta(days=30), today + timedelta(days=34))
        with tenant_context(tenant):

            def search_page(filters, ordering=None):
                found, order = property_search_sorted(filters=filters, ordering=ordering)
                return found.order_by(*order)[:21]

            explain_queryset("Search by city", search_page(SearchFilters(city="paris")))
            explain_queryset(
                "Search by a city with few listings", search_page(SearchFilters(city="oslo"))
            )
            explain_queryset(
                "Search by price, cheapest first",
                search_page(SearchFilters(price_max=Decimal(120)), "price"),
            )
            explain_queryset("Search, newest first (no filter)", search_page(SearchFilters()))
            explain_queryset("Search, best rated first", search_page(SearchFilters(), "rating"))
            explain_queryset(
                "Search by country, best rated first",
                search_page(SearchFilters(country="FR"), "rating"),
            )
            explain_queryset(
                "Search by a country with few listings",
                search_page(SearchFilters(country="NO")),
            )
            explain_queryset(
                "Search around a point (10 km)",
                search_page(
                    SearchFilters(
                        latitude=Decimal("48.8566"), longitude=Decimal("2.3522"), radius_km=10
                    )
                ),
            )
            explain_queryset(
                "Search for free dates",
                search_page(SearchFilters(city="lyon", check_in=stay[0], check_out=stay[1])),
            )
            listing = Property.objects.order_by("id").first()
            explain_queryset(
                "A listing's host blocks overlapping a month (calendar, booking checks)",
                AvailabilityBlock.objects.filter(
                    property=listing, start__lt=stay[1], end__gt=stay[0]
                ),
            )
            explain_queryset(
                "A listing's bookings holding dates in a month (calendar)",
                Booking.objects.filter(
                    property=listing, status__in=HOLDING_STATUSES,
                    check_in__lt=stay[1], check_out__gt=stay[0],
                ),
            )  # fmt: skip
            guest = User.objects.get(email="admin@bench.test")
            explain_queryset(
                "A guest's trips, newest first",
                Booking.objects.filter(guest=guest).order_by("-created", "-id")[:21],
            )
            reviewed = Review.objects.order_by("property_id").first().property_id
            explain_queryset(
                "A listing's reviews, newest first",
                Review.objects.filter(property_id=reviewed, is_hidden=False).order_by("-created")[
                    :21
                ],
            )
            explain_queryset(
                "A webhook event already stored? (webhooks_once)",
                WebhookEvent.objects.filter(provider="stripe", event_id="evt_42"),
            )
            explain_queryset(
                "The payment a webhook is about (payments_unique_reference)",
                Payment.objects.filter(provider="stripe", reference="pi_42"),
            )
        with schema_context("public"):
            explain_queryset(
                "Log in, sign up: the identity by its (lowercased) email",
                User.objects.filter(email=normalize_email("Member42@Bench.test")),
            )
            explain_queryset(
                "email__iexact (UserManager.get_by_natural_key, restore's match)",
                User.objects.filter(email__iexact="Member42@Bench.test"),
            )
            explain_queryset(
                "A marketplace's hosts (members page)",
                Membership.objects.filter(tenant=tenant, role=Role.HOST),
            )
            explain_queryset(
                "Which marketplace serves this host name (every request)",
                Domain.objects.select_related("tenant").filter(domain="stays42.example"),
            )
            explain_queryset(
                "A spare schema to claim (provisioning)",
                SpareSchema.objects.filter(kind="spare", fingerprint="x").order_by("created")[:1],
            )
            explain_queryset(
                "The outbox sweep: unsent messages, oldest first (core.relay_outbox)",
                OutboxMessage.objects.filter(
                    sent_at__isnull=True, created__lte=timezone.now()
                ).order_by("created")[:100],
            )
    finally:
        connection.close()
        drop_database(search.DATABASE)


if __name__ == "__main__":
    main()
