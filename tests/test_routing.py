"""Requests reach the right marketplace by Host header, and only a known host gets anything."""

import pytest
from django_tenants.utils import get_public_schema_name

from shared_apps.tenants.services import tenant_suspend


def test_subdomain_routes_to_its_marketplace(api, alpha, bravo):
    # Given two marketplaces, when each subdomain asks for its branding
    alpha_brand = api(alpha.host).get("/api/v1/branding").json()
    bravo_brand = api(bravo.host).get("/api/v1/branding").json()

    # Then each answers with its own
    assert alpha_brand["display_name"] == "Alpha Mountain Stays"
    assert bravo_brand["display_name"] == "Bravo Beach Houses"


def test_custom_domain_routes_to_its_marketplace(api, alpha):
    response = api("stays.alpha.test").get("/api/v1/branding")

    assert response.status_code == 200
    assert response.json()["display_name"] == "Alpha Mountain Stays"


def test_www_prefix_and_port_still_route(api, alpha):
    response = api("www.alpha.localhost:8000").get("/api/v1/branding")

    assert response.json()["display_name"] == "Alpha Mountain Stays"


@pytest.mark.parametrize("host", ["nope.localhost", "example.org", "alpha.localhost.evil.test"])
def test_unknown_host_is_a_json_404_never_the_public_site(api, marketplaces, db, host):
    response = api(host).get("/api/v1/platform/tenants")

    assert response.status_code == 404
    assert response.json()["code"] == "unknown_host"
    assert host.split(":")[0] in response.json()["message"]


def test_marketplace_api_is_not_served_on_the_platform_host(api, platform_host, marketplaces, db):
    response = api(platform_host).get("/api/v1/branding")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_operator_api_is_not_served_on_a_marketplace_host(api, alpha):
    response = api(alpha.host).get("/api/v1/platform/tenants")

    assert response.status_code == 404


def test_suspended_marketplace_answers_503_with_a_message(api, alpha, bravo):
    # Given alpha is suspended
    tenant_suspend(tenant=alpha.tenant, reason="unpaid invoice")

    # When anyone calls it, on any path and either of its domains
    for host in (alpha.host, "stays.alpha.test"):
        response = api(host).get("/api/v1/branding")

        # Then it answers 503 with a message, and bravo is unaffected
        assert response.status_code == 503
        assert response.json()["code"] == "marketplace_suspended"
        assert "Alpha Mountain Stays" in response.json()["message"]
        assert response["Retry-After"]
    assert api(bravo.host).get("/api/v1/branding").status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.7:8000", "localhost", "alpha.localhost"])
def test_healthz_answers_on_any_host_including_a_bare_ip(api, marketplaces, db, host):
    response = api(host).get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["postgresql"] == body["checks"]["redis"] == "ok"
    assert "workers" in body["checks"]


def test_healthz_reports_a_broken_database_as_503(api, marketplaces, db, monkeypatch):
    from shared_apps.core import health

    def database_down():
        raise ConnectionError("connection refused")

    monkeypatch.setitem(health.CHECKS, "postgresql", database_down)

    response = api("127.0.0.1").get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["postgresql"] == "error: ConnectionError"
    assert response.json()["checks"]["redis"] == "ok"


def test_storefront_page_is_branded_per_marketplace(client, alpha, bravo):
    alpha_page = client.get("/", HTTP_HOST=alpha.host).content.decode()
    bravo_page = client.get("/", HTTP_HOST=bravo.host).content.decode()

    alpha_theme = client.get("/theme.css", HTTP_HOST=alpha.host).content.decode()

    assert "Alpha Mountain Stays" in alpha_page
    assert "#0a7d32" in alpha_theme
    assert "Bravo Beach Houses" in bravo_page
    assert "Alpha" not in bravo_page


def test_unknown_path_is_a_json_404(api, alpha):
    response = api(alpha.host).get("/api/v1/does-not-exist")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_request_leaves_the_schema_of_its_host(api, alpha):
    from django.db import connection

    api(alpha.host).get("/api/v1/branding")
    assert connection.schema_name == alpha.slug
    api("127.0.0.1").get("/healthz")
    api("localhost").get("/api/v1/platform/tenants")
    assert connection.schema_name == get_public_schema_name()


def test_host_names_are_case_insensitive(api, alpha):
    response = api("Stays.ALPHA.test").get("/api/v1/branding")

    assert response.json()["display_name"] == "Alpha Mountain Stays"


def test_a_malformed_host_header_is_a_json_400(api, marketplaces, db):
    response = api("bad host!").get("/api/v1/branding")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_host"
