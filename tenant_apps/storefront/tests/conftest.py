"""Browsers for the host and admin pages: a Django test client on a marketplace host,
signed in through the login page as a person would."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.accounts.tests.factories import PASSWORD


def signed_in(market, user) -> Client:
    client = Client(HTTP_HOST=market.host)
    response = client.post("/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, "the login page refused a member"
    return client


def session_without_membership(market, user) -> Client:
    """A signed-in session on `market` for someone who is not its member (another
    marketplace's admin whose session was carried over): the pages must refuse it."""
    client = Client(HTTP_HOST=market.host)
    with tenant_context(market.tenant):
        client.force_login(user)
    return client


@pytest.fixture
def browser_for():
    return signed_in


@pytest.fixture
def fresh_page_cache(marketplaces):
    """Pages cached while a test ran (home and search are cached as rendered HTML under the
    listings version) are left behind for the next test: the database rolls back, the cache
    doesn't. Afterwards each marketplace gets a new listings version, so no later test is
    served what this one saw."""
    from tenant_apps.listings.cache import bump_listings_version

    yield
    for market in marketplaces.values():
        with tenant_context(market.tenant):
            bump_listings_version()
