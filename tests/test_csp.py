"""Every HTML surface carries the project's one Content-Security-Policy (django-csp): the
storefront, the Django admin on a marketplace host and on the platform host, Swagger UI,
GraphiQL and the error pages. No page has an inline script the policy would block: every
<script> is a file from this host, or carries the request's nonce."""

from __future__ import annotations

import re

import pytest
from csp.utils import build_policy
from django.test import Client, override_settings
from django_tenants.utils import tenant_context

from shared_apps.accounts.tests.factories import UserFactory
from shared_apps.tenants.services import tenant_suspend
from tenant_apps.listings.tests.factories import listing_factory

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml"}


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


def _assert_fits_policy(response) -> dict[str, list[str]]:
    """The page has a CSP without 'unsafe-inline' or 'unsafe-eval' scripts, and every
    script and style element on it is one that policy lets run."""
    assert "Content-Security-Policy" in response, f"no CSP on {response.request['PATH_INFO']}"
    policy = _directives(response["Content-Security-Policy"])
    scripts = policy.get("script-src", policy["default-src"])
    styles = policy.get("style-src", policy["default-src"])
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    html = response.content.decode()
    nonces = {value for value in scripts if value.startswith("'nonce-")}
    for tag in re.findall(r"<script\b[^>]*>", html):
        if re.search(r'type="application/(ld\+)?json"', tag):
            continue  # a data block (JSON-LD, json_script): never run, so never blocked
        src = re.search(r'\bsrc="([^"]+)"', tag)
        if src:
            assert src.group(1).startswith("/"), f"a script from elsewhere: {tag}"
        else:
            nonce = re.search(r'\bnonce="([^"]+)"', tag)
            assert nonce, f"an inline script without the nonce: {tag}"
            assert f"'nonce-{nonce.group(1)}'" in nonces
    if re.search(r"<style\b", html):
        assert "'unsafe-inline'" in styles, "an inline <style> the policy blocks"
    if re.search(r"\sstyle=\"", html):
        assert "'unsafe-inline'" in styles, "a style attribute the policy blocks"
    return policy


def _admin_client(host: str, user, tenant=None) -> Client:
    client = Client(HTTP_HOST=host)
    if tenant is None:
        client.force_login(user)
    else:
        with tenant_context(tenant):
            client.force_login(user)
    return client


def test_storefront_pages_carry_the_project_policy(alpha, host):
    listing = listing_factory(alpha.tenant, host)
    client = Client(HTTP_HOST=alpha.host)

    for path in ("/", "/search/", f"/stays/{listing.pk}/", "/login/", "/signup/", "/nowhere/"):
        response = client.get(path, **BROWSER)
        assert response.status_code in (200, 404), path
        _assert_fits_policy(response)
        assert response["Content-Security-Policy"] == build_policy()


def test_a_suspended_marketplaces_page_carries_the_policy(alpha):
    tenant_suspend(tenant=alpha.tenant, reason="unpaid invoice")

    response = Client(HTTP_HOST=alpha.host).get("/", **BROWSER)

    assert response.status_code == 503
    _assert_fits_policy(response)


def test_the_admin_on_a_marketplace_host_carries_the_policy(alpha):
    login = Client(HTTP_HOST=alpha.host).get("/admin/login/")
    admin = _admin_client(alpha.host, alpha.admin, alpha.tenant)
    pages = [admin.get(path) for path in ("/admin/", "/admin/accounts/membership/")]

    for response in [login, *pages]:
        assert response.status_code == 200
        _assert_fits_policy(response)


def test_the_admin_on_the_platform_host_carries_the_policy(platform_host):
    operator = UserFactory(is_staff=True)
    login = Client(HTTP_HOST=platform_host).get("/admin/login/")
    admin = _admin_client(platform_host, operator)
    pages = [admin.get(path) for path in ("/admin/", "/admin/tenants/tenant/")]

    for response in [login, *pages]:
        assert response.status_code == 200
        _assert_fits_policy(response)


@pytest.mark.parametrize("on", ["marketplace", "platform"])
def test_swagger_ui_runs_from_this_hosts_files_under_the_policy(alpha, platform_host, on):
    client = Client(HTTP_HOST=alpha.host if on == "marketplace" else platform_host)

    page = client.get("/api/docs/")
    html = page.content.decode()
    script_url = re.search(r'<script src="([^"]*\?[^"]*script=[^"]*)"', html).group(1)
    script = client.get(script_url.replace("&amp;", "&"))

    assert page.status_code == 200
    policy = _assert_fits_policy(page)
    assert policy["style-src"] == ["'self'"]
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_graphiql_gets_the_policy_with_scripts_from_this_host_only(alpha):
    with override_settings(GRAPHQL_DEV_TOOLS=True):
        page = Client(HTTP_HOST=alpha.host).get("/graphql/", **BROWSER)

    assert page.status_code == 200
    policy = _directives(page["Content-Security-Policy"])
    assert [v for v in policy["script-src"] if not v.startswith("'nonce-")] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    # The editor's inline style attributes are the one allowance, for styles only.
    assert "'unsafe-inline'" in policy["style-src"]


def test_the_stripe_checkout_policy_adds_stripe_hosts_and_nothing_else():
    """(The checkout page itself is tested in tenant_apps/storefront/tests/test_checkout.py.)"""
    from tenant_apps.storefront.security import STRIPE_CHECKOUT_CSP

    merged = _directives(build_policy(update=STRIPE_CHECKOUT_CSP))
    assert merged["script-src"] == ["'self'", "https://js.stripe.com"]
    assert merged["connect-src"] == ["'self'", "https://api.stripe.com"]
    assert merged["frame-src"] == ["https://js.stripe.com", "https://hooks.stripe.com"]
    assert "stripe" not in build_policy()


def test_the_checkout_page_carries_the_policy(alpha, host, guest):
    from tenant_apps.storefront.tests.conftest import signed_in
    from tests.support.days import day

    listing = listing_factory(alpha.tenant, host, instant_book=True)
    stay = {"check_in": str(day(30)), "check_out": str(day(33)), "guests": "1"}

    response = signed_in(alpha, guest).get(f"/checkout/{listing.pk}/", stay, **BROWSER)

    assert response.status_code == 200
    _assert_fits_policy(response)
    assert response["Content-Security-Policy"] == build_policy()  # Stripe only once paying
