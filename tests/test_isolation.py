"""Tenant isolation outside the request path: cache entries and schema contents."""

from django.core.cache import cache
from django.db import connection
from django_tenants.utils import tenant_context

from shared_apps.core.tenancy import TenantRequiredError, current_tenant


def test_cache_entries_of_a_are_invisible_from_b(alpha, bravo):
    # Given alpha caches a value under a key
    with tenant_context(alpha.tenant):
        cache.set("search:page1", "alpha's results", 60)

    # When bravo reads and writes the same key
    with tenant_context(bravo.tenant):
        seen_by_bravo = cache.get("search:page1")
        cache.set("search:page1", "bravo's results", 60)

    # Then bravo saw nothing, and alpha still has its own value
    assert seen_by_bravo is None
    with tenant_context(alpha.tenant):
        assert cache.get("search:page1") == "alpha's results"
    with tenant_context(bravo.tenant):
        assert cache.get("search:page1") == "bravo's results"


def test_cache_keys_in_redis_carry_the_schema_and_the_deployment_prefix(alpha):
    from django.conf import settings

    deployment = settings.CACHES["default"]["KEY_PREFIX"]
    with tenant_context(alpha.tenant):
        cache.set("isolation-probe", 1, 60)
    # Only this run's keys: other runs on the same Redis write keys of the same name.
    raw_keys = cache.client.get_client().keys(f"*:{deployment}:*isolation-probe")

    assert len(raw_keys) == 1, "the key should be in Redis, once"
    schema, prefix = raw_keys[0].decode().split(":")[:2]
    assert schema == "alpha"
    assert prefix == deployment
    assert prefix.startswith("test-")


def test_clearing_one_marketplaces_key_leaves_the_other(alpha, bravo):
    for market in (alpha, bravo):
        with tenant_context(market.tenant):
            cache.set("calendar", market.slug, 60)

    with tenant_context(alpha.tenant):
        cache.delete("calendar")

    with tenant_context(bravo.tenant):
        assert cache.get("calendar") == "bravo"


def test_sessions_are_scoped_per_marketplace(client, alpha, bravo):
    """A session cookie minted on one marketplace is unknown to another."""
    from shared_apps.accounts.tests.factories import PASSWORD

    logged_in = client.post(
        "/admin/login/",
        {"username": alpha.admin.email, "password": PASSWORD, "next": "/admin/"},
        HTTP_HOST=alpha.host,
    )
    assert logged_in.status_code == 302
    assert client.get("/admin/", HTTP_HOST=alpha.host).status_code == 200

    # The same cookie jar presented to bravo is not a session there.
    response = client.get("/admin/", HTTP_HOST=bravo.host)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_code_that_needs_a_tenant_fails_closed_on_the_public_schema(marketplaces, db):
    import pytest

    connection.set_schema_to_public()
    with pytest.raises(TenantRequiredError):
        current_tenant()
    with tenant_context(marketplaces["alpha"].tenant):
        assert current_tenant().schema_name == "alpha"
