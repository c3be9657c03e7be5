"""Helpers for storefront page tests: a browser-like client signed in on one host."""

from __future__ import annotations

from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.accounts.tests.factories import PASSWORD


def browser(market) -> Client:
    """An anonymous visitor of `market`'s host."""
    return Client(HTTP_HOST=market.host)


def signed_in(market, user, password: str = PASSWORD) -> Client:
    """A visitor who logged in through the page (sessions live under the marketplace's
    schema, so a session made any other way wouldn't be this host's)."""
    client = browser(market)
    response = client.post("/login/", {"username": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def session_without_membership(market, user) -> Client:
    """A signed-in session on `market` for someone who is not its member (another
    marketplace's admin whose session was carried over): the pages must refuse it."""
    client = Client(HTTP_HOST=market.host)
    with tenant_context(market.tenant):
        client.force_login(user)
    return client
