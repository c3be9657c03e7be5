"""Warm listing answers held by the process (tenant_apps/listings/local_answers.py): served
without Redis while the versions they depend on are trusted, a write in this process seen at
once, a write in another process seen when its notice arrives (or, with nobody listening,
once the short window has passed), never an answer of one marketplace on another, and Redis
dying handled like any other miss."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from shared_apps.core import degraded, tenancy
from tenant_apps.listings import services as listings
from tenant_apps.listings.cache import bump_listings_version, listing_key
from tenant_apps.listings.local_answers import local_answers, notice_channel
from tenant_apps.listings.tests.factories import listing_factory
from tests.support.redis_server import caches_on, private_redis

PROPERTIES = "/api/v1/properties"


@pytest.fixture(autouse=True)
def _local_answers_on(marketplaces, db, settings):
    settings.LISTINGS_CACHE = True
    settings.LISTINGS_VERSION_TRUST_MS = 60_000  # longer than any test: only writes count
    for market in marketplaces.values():
        with tenant_context(market.tenant):
            bump_listings_version()
    local_answers.forget_answers()
    local_answers.forget_versions()
    tenancy.host_map.forget()
    yield
    local_answers.forget_answers()
    local_answers.forget_versions()
    tenancy.host_map.forget()


def _get(client, path, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200
    return response, len(queries)


def _held(client, listing):
    """Reads a listing's detail until this process holds it (computed and stored, then
    checked in Redis and kept); the client and the path, for more reads."""
    path = f"{PROPERTIES}/{listing.pk}"
    for _ in range(2):
        _get(client, path)
    return client, path


@pytest.fixture
def redis_calls(monkeypatch):
    """How many times the listings cache asked for a Redis connection."""
    calls = {"n": 0}
    client = cache.client
    original = client.get_client

    def counted(*args, **kwargs):
        calls["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(client, "get_client", counted)
    return calls


def test_a_held_answer_is_served_without_redis_or_sql(api, alpha, host, redis_calls):
    listing = listing_factory(alpha.tenant, host, title="Held")
    client = api(alpha.host)
    path = f"{PROPERTIES}/{listing.pk}"
    cold, _ = _get(client, path)  # computed and stored in Redis
    _get(client, path)  # checked in Redis, now held by the process
    before = redis_calls["n"]
    held, queries = _get(client, path)
    assert queries == 0
    assert redis_calls["n"] == before
    assert held.content == cold.content


def test_a_write_in_this_process_is_seen_at_once(api, alpha, host):
    listing = listing_factory(alpha.tenant, host, title="Before")
    client, path = _held(api(alpha.host), listing)
    with tenant_context(alpha.tenant):
        listings.property_update(property=listing, data={"title": "After"})
    fresh, queries = _get(client, path)
    assert fresh.json()["title"] == "After"
    assert queries > 0


def _write_elsewhere(listing, *, tell: bool) -> None:
    """What another process's edit does: the row changes, the listing's version key is
    bumped in Redis and (`tell`) the bump notice is published, as _bump does."""
    type(listing).objects.filter(pk=listing.pk).update(title="After")
    key = cache.make_key(listing_key(listing.pk))
    redis = cache.client.get_client(write=True)
    redis.incr(key)
    if tell:
        redis.publish(notice_channel(), key)


def _listening() -> bool:
    deadline = time.monotonic() + 5
    while local_answers.listening_to is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return local_answers.listening_to is not None


def test_a_write_elsewhere_is_seen_as_soon_as_its_notice_arrives(api, alpha, host, settings):
    settings.LISTINGS_VERSION_TRUST_MS = 1  # only the notices keep versions trusted
    listing = listing_factory(alpha.tenant, host, title="Before")
    client = api(alpha.host)
    path = f"{PROPERTIES}/{listing.pk}"
    _get(client, path)
    assert _listening()
    for _ in range(2):  # read while listening: trusted from now on
        _get(client, path)
    held, queries = _get(client, path)
    assert (held.json()["title"], queries) == ("Before", 0)
    with tenant_context(alpha.tenant):
        _write_elsewhere(listing, tell=True)
    deadline, title = time.monotonic() + 2, "Before"
    while title == "Before" and time.monotonic() < deadline:
        title = _get(client, path)[0].json()["title"]
    assert title == "After"


def test_unheard_writes_elsewhere_are_seen_once_the_short_window_has_passed(
    api, alpha, host, settings, monkeypatch
):
    """Nobody listening (Redis pub/sub lost): a version is trusted for the short window."""
    settings.LISTINGS_VERSION_TRUST_MS = 300
    monkeypatch.setattr(local_answers, "ensure_listening", lambda: None)
    monkeypatch.setattr(local_answers, "listening_to", None)
    listing = listing_factory(alpha.tenant, host, title="Before")
    client, path = _held(api(alpha.host), listing)
    with tenant_context(alpha.tenant):
        _write_elsewhere(listing, tell=False)
    within, queries = _get(client, path)
    assert (within.json()["title"], queries) == ("Before", 0)  # the documented bound
    time.sleep(0.35)
    after, queries = _get(client, path)
    assert after.json()["title"] == "After"
    assert queries > 0


def test_two_marketplaces_never_share_a_held_answer(api, alpha, bravo, host, make_member):
    listing_factory(alpha.tenant, host, city="Heldtown", title="Alpha stay")
    listing_factory(bravo.tenant, make_member(bravo.tenant, "host").user, city="Heldtown",
                    title="Bravo stay")  # fmt: skip
    titles = {}
    for market in (alpha, bravo, alpha, bravo, alpha, bravo):
        response, _ = _get(api(market.host), PROPERTIES, city="Heldtown")
        titles.setdefault(market.host, set()).update(r["title"] for r in response.json()["results"])
    assert titles == {alpha.host: {"Alpha stay"}, bravo.host: {"Bravo stay"}}
    assert len(local_answers.answers) == 2


def test_redis_dying_is_a_miss_once_the_held_versions_are_no_longer_trusted(
    api, alpha, host, settings
):
    settings.LISTINGS_VERSION_TRUST_MS = 300
    listing = listing_factory(alpha.tenant, host, title="Still here")
    with private_redis() as server:
        caches_on(settings, server)
        client, path = _held(api(alpha.host), listing)
        server.kill()
        held, queries = _get(client, path)
        assert queries == 0  # trusted for 300 ms more
        time.sleep(0.35)
        from_database, queries = _get(client, path)
        assert from_database.json()["title"] == "Still here"
        assert queries > 0
    degraded.reset()
