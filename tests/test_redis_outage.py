"""Redis dies under traffic: reads keep answering from the database, logins refuse with a
clear 503 and Retry-After (no unthrottled password guessing), bookings still go through,
/healthz says degraded, and the outage is one log line, not one per request. A private
redis-server is killed mid-test; the shared one is never touched."""

from __future__ import annotations

import copy
import logging

import pytest

from shared_apps.core import degraded
from shared_apps.core.tests.redis_server import private_redis
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.payments.tests.helpers import day


@pytest.fixture
def redis_server(settings):
    """The cache and the throttles on a private redis-server (the broker stays put)."""
    with private_redis() as server:
        caches = copy.deepcopy(settings.CACHES)
        for alias in caches.values():
            alias["LOCATION"] = server.url
        settings.CACHES = caches
        degraded.reset()
        yield server
    degraded.reset()


def test_reads_login_booking_and_health_while_redis_is_down(
    api, alpha, bravo, host, guest, redis_server, caplog, django_capture_on_commit_callbacks
):
    listing = listing_factory(alpha.tenant, host, title="Cabin by the lake")
    listing_factory(bravo.tenant, host, title="Bravo loft")
    anyone = api(alpha.host)
    assert anyone.get(f"/api/v1/properties/{listing.pk}").status_code == 200  # cached now
    assert api(alpha.host).get("/healthz").json()["status"] == "ok"

    redis_server.kill()
    caplog.set_level(logging.WARNING)

    search = anyone.get("/api/v1/properties")
    detail = anyone.get(f"/api/v1/properties/{listing.pk}")
    again = anyone.get("/api/v1/properties")
    login = anyone.post("/api/v1/auth/token", {"email": guest.email, "password": "whatever"})
    with django_capture_on_commit_callbacks(execute=True):
        booking = api(alpha.host, guest).post(
            "/api/v1/bookings",
            {"property_id": str(listing.pk), "check_in": str(day(30)), "check_out": str(day(33)),
             "guests": 1},
        )  # fmt: skip
    health = api("127.0.0.1").get("/healthz")

    assert search.status_code == 200
    assert again.status_code == 200
    assert [p["title"] for p in search.json()["results"]] == ["Cabin by the lake"]  # alpha's only
    assert detail.status_code == 200
    assert detail.json()["title"] == "Cabin by the lake"
    assert login.status_code == 503
    assert login["Retry-After"] == "30"
    assert login.json()["code"] == "temporarily_unavailable"
    assert booking.status_code == 201, booking.content
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["checks"]["redis"].startswith("error")
    outage_lines = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
    assert len(outage_lines) == 1  # once per interval, however many requests failed

    redis_server.start()
    assert (
        anyone.post(
            "/api/v1/auth/token", {"email": guest.email, "password": "whatever"}
        ).status_code
        == 401
    )  # throttles work again: a plain wrong password
