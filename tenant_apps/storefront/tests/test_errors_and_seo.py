"""Branded error pages for browsers (JSON for API clients), and what search engines read:
robots.txt, sitemap.xml, canonical URLs and Open Graph tags, per marketplace."""

from __future__ import annotations

import pytest
from django.test import Client

from shared_apps.accounts.constants import Role
from shared_apps.accounts.tests.factories import member_factory
from shared_apps.tenants.selectors import marketplace_url
from shared_apps.tenants.services import tenant_suspend
from tenant_apps.listings.tests.factories import listing_factory

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_a_browser_gets_a_branded_404_page(alpha, bravo):
    alpha_page = Client(HTTP_HOST=alpha.host).get("/no-such-page/", **BROWSER)
    bravo_page = Client(HTTP_HOST=bravo.host).get("/no-such-page/", **BROWSER)

    assert alpha_page.status_code == 404
    assert alpha_page["Content-Type"].startswith("text/html")
    assert "We can&#x27;t find this page · Alpha Mountain Stays" in alpha_page.content.decode()
    assert "Bravo Beach Houses" in bravo_page.content.decode()
    assert "Content-Security-Policy" in alpha_page


def test_api_paths_keep_json_errors_even_from_a_browser(alpha):
    response = Client(HTTP_HOST=alpha.host).get("/api/v1/nothing-here", **BROWSER)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_api_client_gets_json_for_a_missing_page(alpha):
    response = Client(HTTP_HOST=alpha.host).get("/no-such-page/", HTTP_ACCEPT="application/json")

    assert response.json()["code"] == "not_found"


def test_a_missing_listing_is_the_branded_404(alpha):
    response = Client(HTTP_HOST=alpha.host).get(
        "/stays/00000000-0000-0000-0000-000000000000/", **BROWSER
    )

    assert response.status_code == 404
    assert "We can&#x27;t find this page" in response.content.decode()


def test_a_suspended_marketplace_shows_browsers_a_branded_503_and_the_api_json(alpha):
    tenant_suspend(tenant=alpha.tenant, reason="unpaid invoice")

    page = Client(HTTP_HOST=alpha.host).get("/", **BROWSER)
    api = Client(HTTP_HOST=alpha.host).get("/api/v1/properties", **BROWSER)

    assert page.status_code == 503
    assert page["Retry-After"] == "3600"
    assert "Alpha Mountain Stays is taking a short break" in page.content.decode()
    assert "unpaid invoice" not in page.content.decode()
    assert api.status_code == 503
    assert api.json()["code"] == "marketplace_suspended"


def test_a_server_error_is_a_branded_500_for_browsers(alpha, monkeypatch):
    from tenant_apps.storefront import pages

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(pages, "home_sections", broken)
    client = Client(HTTP_HOST=alpha.host, raise_request_exception=False)

    response = client.get("/", **BROWSER)

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_robots_txt_points_at_this_marketplaces_sitemap(alpha, bravo):
    alpha_robots = Client(HTTP_HOST=alpha.host).get("/robots.txt").content.decode()
    bravo_robots = Client(HTTP_HOST=bravo.host).get("/robots.txt").content.decode()

    assert f"Sitemap: {marketplace_url(tenant=alpha.tenant)}/sitemap.xml" in alpha_robots
    assert f"Sitemap: {marketplace_url(tenant=bravo.tenant)}/sitemap.xml" in bravo_robots
    assert "Disallow: /api/" in alpha_robots


def test_sitemap_lists_only_this_marketplaces_published_listings(alpha, bravo, host):
    published = listing_factory(alpha.tenant, host)
    draft = listing_factory(alpha.tenant, host, publish=False)
    elsewhere = listing_factory(bravo.tenant, member_factory(bravo.tenant, Role.HOST).user)

    sitemap = Client(HTTP_HOST=alpha.host).get("/sitemap.xml")
    body = sitemap.content.decode()

    assert sitemap["Content-Type"].startswith("application/xml")
    assert f"{marketplace_url(tenant=alpha.tenant)}/stays/{published.id}/" in body
    assert str(draft.id) not in body
    assert str(elsewhere.id) not in body


def test_pages_carry_canonical_on_the_primary_domain_and_open_graph(alpha, host):
    listing = listing_factory(alpha.tenant, host, title="Sunny flat", description="Bright.")
    site = marketplace_url(tenant=alpha.tenant)

    # Reached through a secondary domain, the canonical still names the primary one.
    page = Client(HTTP_HOST="alpha.localhost").get(f"/stays/{listing.id}/").content.decode()

    assert f'<link rel="canonical" href="{site}/stays/{listing.id}/">' in page
    assert '<meta property="og:title" content="Sunny flat">' in page
    assert '<meta name="description" content="Bright.">' in page
    assert f'<meta property="og:image" content="{site}/media/tenants/alpha/' in page
