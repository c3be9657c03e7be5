"""Operator metrics per marketplace: members, listings, bookings, revenue of the last 30
days, queue depth; each marketplace counts only its own."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.core.tests.worker_tasks import where_am_i
from shared_apps.queues.services import purge_tenant_queue
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking, BookingPolicy
from tenant_apps.bookings.pricing import booking_policy
from tenant_apps.bookings.services import booking_accept, booking_create
from tenant_apps.listings.tests.factories import listing_factory

pytestmark = pytest.mark.django_db

METRICS = "/api/v1/platform/metrics"


@pytest.fixture
def ops(api, platform_host, django_user_model, marketplaces):
    operator = django_user_model.objects.create_user("ops@platform.test", is_staff=True)
    return api(platform_host, operator)


@pytest.fixture
def busy_alpha(alpha, make_member):
    """alpha: a host with two listings (one a draft), three guests' bookings: one confirmed
    now, one confirmed 40 days ago, one still a request; and a task waiting in its queue."""
    host = make_member(alpha.tenant, Role.HOST).user
    listing = listing_factory(alpha.tenant, host)
    listing_factory(alpha.tenant, host, publish=False)
    start = timezone.now().date() + timedelta(days=20)
    with tenant_context(alpha.tenant):
        # Guests pay on arrival here, so the host's accept confirms a stay.
        BookingPolicy.objects.filter(pk=booking_policy().pk).update(collect_payment_on_arrival=True)
        stays = []
        for n in range(3):
            guest = make_member(alpha.tenant, Role.GUEST).user
            check_in = start + timedelta(days=5 * n)
            stays.append(
                booking_create(
                    property_id=listing.pk,
                    guest=guest,
                    check_in=check_in,
                    check_out=check_in + timedelta(days=2),
                    guests=1,
                )  # fmt: skip
            )
        booking_accept(booking=stays[0], actor=host)
        booking_accept(booking=stays[1], actor=host)
        Booking.objects.filter(pk=stays[1].pk).update(
            status=BookingStatus.COMPLETED,
            confirmed_at=timezone.now() - timedelta(days=40),
            created=timezone.now() - timedelta(days=41),
        )
        purge_tenant_queue("alpha")  # the session's set-password emails wait there
        purge_tenant_queue("bravo")
        where_am_i.delay()
        recent_total = Booking.objects.get(pk=stays[0].pk).total
    yield recent_total
    purge_tenant_queue("alpha")


def test_metrics_of_one_marketplace_count_only_its_own(ops, busy_alpha, alpha, bravo):
    response = ops.get("/api/v1/platform/tenants/alpha/metrics")

    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "alpha"
    assert (body["members"], body["hosts"]) == (5, 2)  # admin, host, three guests
    assert (body["listings"], body["published_listings"]) == (2, 1)
    assert (body["bookings"], body["bookings_30d"]) == (3, 2)
    # only the booking confirmed in the window counts, not the request or the old stay
    assert Decimal(body["revenue_30d"]) == busy_alpha > 0
    assert body["currency"] == "USD"
    assert body["queue_depth"] == 1


def test_metrics_list_pages_every_marketplace_apart(ops, busy_alpha, alpha, bravo):
    response = ops.get(METRICS)

    assert response.status_code == 200
    by_slug = {row["slug"]: row for row in response.json()["results"]}
    assert set(by_slug) == {"alpha", "bravo"}
    assert by_slug["alpha"]["bookings"] == 3
    bravo_row = by_slug["bravo"]
    assert (bravo_row["members"], bravo_row["listings"], bravo_row["bookings"]) == (1, 0, 0)
    assert Decimal(bravo_row["revenue_30d"]) == 0
    assert bravo_row["queue_depth"] == 0


def test_metrics_are_for_operators_only(api, alpha, platform_host, marketplaces):
    anonymous = api(platform_host).get(METRICS)
    on_a_marketplace = api(alpha.host, alpha.admin).get("/api/v1/platform/tenants/alpha/metrics")
    unknown = api(platform_host).get("/api/v1/platform/tenants/ghost/metrics")

    assert anonymous.status_code == 401
    assert on_a_marketplace.status_code == 404
    assert unknown.status_code == 401


def test_metrics_of_an_unknown_marketplace_are_a_404(ops):
    response = ops.get("/api/v1/platform/tenants/ghost/metrics")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
