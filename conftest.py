"""Test harness shared by every app: two marketplaces, made once per session.

Provisioning (schema + migrations) is the slow part, so `alpha` and `bravo` are created once
against the real PostgreSQL and reused; each test then runs inside a transaction that is
rolled back, so what a test writes never reaches the next one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.tests.factories import PASSWORD, member_factory
from shared_apps.accounts.tokens import tokens_for_user
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import platform_ensure_public_tenant, tenant_provision

# Tests that start worker processes or servers, race threads, fuzz or drive a browser: the
# `slow` marker lets `pytest -m "not slow"` leave them out while iterating (CI runs them all).
# Listed here by module (a new module of that kind joins the list); single tests elsewhere
# carry @pytest.mark.slow themselves.
SLOW_MODULES = (
    "tests/browser/",
    "tests/test_worker",  # test_worker.py, test_worker_crash.py, …: real run_worker processes
    "tests/test_periodic_work.py",
    "tests/test_booking_races.py",
    "tests/test_review_races.py",
    "tests/test_concurrency.py",
    "tests/test_redis_outage.py",
    "tests/test_no_server_errors.py",
    "tests/test_schemathesis.py",
    "tests/test_abuse.py",
    "tests/test_api_contract.py",
    "tests/test_route_isolation.py",
    "tests/test_compose_redis.py",
    "tenant_apps/payments/tests/test_races.py",
    "tenant_apps/payments/tests/test_broker_outage.py",
)
ROOT = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.relative_to(ROOT).as_posix().startswith(SLOW_MODULES):
            item.add_marker(pytest.mark.slow)


@dataclass
class Marketplace:
    tenant: Tenant
    host: str
    admin: User

    @property
    def slug(self) -> str:
        return self.tenant.schema_name


def _provision(slug: str, **extra) -> Marketplace:
    result = tenant_provision(
        name=f"{slug.title()} Stays", slug=slug, admin_email=f"admin@{slug}.test", **extra
    )
    result.admin.set_password(PASSWORD)
    result.admin.save(update_fields=["password", "token_version"])
    return Marketplace(result.tenant, f"{slug}.localhost", result.admin)


@pytest.fixture(scope="session")
def marketplaces(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        platform_ensure_public_tenant()
        alpha = _provision(
            "alpha",
            domains=["stays.alpha.test"],
            display_name="Alpha Mountain Stays",
            primary_color="#0a7d32",
        )
        bravo = _provision("bravo", display_name="Bravo Beach Houses", primary_color="#1d4ed8")
    yield {"alpha": alpha, "bravo": bravo}
    _remove_run_leftovers()


def _remove_run_leftovers() -> None:
    """This run's Redis keys (cache, queues, results, heartbeats: all under its unique
    prefix) and its uploaded files; the shared Redis and the disk keep nothing of it."""
    import shutil

    from django.conf import settings

    from shared_apps.core.broker import broker_redis

    client = broker_redis()
    for prefix in (settings.CELERY_KEY_PREFIX, f"*:{settings.CACHES['default']['KEY_PREFIX']}:"):
        keys = list(client.scan_iter(f"{prefix}*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    if "rental-test-media-" in str(settings.MEDIA_ROOT):
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def _fresh(market: Marketplace) -> Marketplace:
    """A per-test copy with freshly loaded rows, so a test that changes or deletes one
    (rolled back afterwards) never leaves a stale object for the next test."""
    return Marketplace(
        Tenant.objects.get(pk=market.tenant.pk), market.host, User.objects.get(pk=market.admin.pk)
    )


@pytest.fixture
def alpha(marketplaces, db) -> Marketplace:
    return _fresh(marketplaces["alpha"])


@pytest.fixture
def bravo(marketplaces, db) -> Marketplace:
    return _fresh(marketplaces["bravo"])


@pytest.fixture(autouse=True)
def _public_schema():
    """Every test starts, and leaves, on the public schema."""
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


def _bump_listings_caches(markets) -> None:
    from tenant_apps.listings.cache import bump_listings_version

    for market in markets:
        with tenant_context(market.tenant):
            bump_listings_version()


@pytest.fixture
def fresh_listing_cache(marketplaces, db):
    """Redis is not rolled back with each test's transaction: the test starts on a new
    listings cache version in every marketplace, and leaves a new one behind, so no answer
    or page cached by one test (search, detail, calendar, rendered fragments) is served to
    another."""
    _bump_listings_caches(marketplaces.values())
    yield
    _bump_listings_caches(marketplaces.values())


@pytest.fixture(autouse=True)
def _host_map(request):
    """The process's host map (shared_apps.core.tenancy) knows the test marketplaces' hosts
    before the test, so the queries a test counts are the same whichever test ran first,
    and forgets after it: a test's tenant and domain rows are rolled back without a signal."""
    from shared_apps.core.tenancy import host_map

    if {"marketplaces", "db"} <= set(request.fixturenames):
        request.getfixturevalue("db")
        for market in request.getfixturevalue("marketplaces").values():
            for domain in market.tenant.domains.values_list("domain", flat=True):
                host_map.tenant_for(domain, lambda name: Tenant.objects.get(domains__domain=name))
    yield
    host_map.forget()


@pytest.fixture
def platform_host() -> str:
    from django.conf import settings

    return settings.PLATFORM_DOMAIN


def client_for(host: str, user: User | None = None, *, issuer: Tenant | None = None) -> APIClient:
    """An API client talking to `host`; with `user`, holding a token issued by `issuer`
    (by default the tenant that serves `host`, the public one for the platform host)."""
    client = APIClient(HTTP_HOST=host)
    if user is not None:
        issuer = issuer or Tenant.objects.get(domains__domain=host)
        with tenant_context(issuer):
            tokens = tokens_for_user(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


@pytest.fixture
def api():
    return client_for


@pytest.fixture
def make_member():
    return member_factory


@pytest.fixture
def host(alpha) -> User:
    """A host member of alpha."""
    return member_factory(alpha.tenant, Role.HOST).user


@pytest.fixture
def guest(alpha) -> User:
    """A guest member of alpha."""
    return member_factory(alpha.tenant, Role.GUEST).user


@pytest.fixture
def eager_tasks():
    """Tasks sent by the code under test run at once, in this process (for tests about
    what a task does, not about queues: those start real workers)."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


def graphql_for(host: str, user: User | None = None, *, issuer: Tenant | None = None):
    """A function posting a GraphQL query to `host`'s /graphql/ (with `user`'s token, as
    client_for) and returning (HTTP status, decoded body)."""
    client = client_for(host, user, issuer=issuer)

    def run(query: str, variables: dict | None = None, **extra):
        response = client.post(
            "/graphql/", {"query": query, "variables": variables or {}}, format="json", **extra
        )
        return response.status_code, response.json()

    return run


@pytest.fixture
def gql():
    return graphql_for
