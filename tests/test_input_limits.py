"""Hostile bodies get a clear 400, never a 500: JSON nested thousands deep (which made the
decoder raise RecursionError) on every kind of JSON endpoint, and bodies over Django's size
limit (whose 400 handler itself crashed)."""

from __future__ import annotations

import pytest

DEEP = b"[" * 9000 + b"]" * 9000  # 18 KB
DEEP_OBJECT = b'{"a":' * 5000 + b"1" + b"}" * 5000


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_deeply_nested_json_is_a_400_on_rest_endpoints_of_both_hosts(
    api, alpha, platform_host, body
):
    for host in (alpha.host, platform_host):
        response = api(host).post("/api/v1/auth/token", data=body, content_type="application/json")

        assert response.status_code == 400, (host, response.content[:200])
        assert "nested deeper than" in response.json()["message"]


def test_deeply_nested_json_is_a_400_on_graphql(api, alpha):
    response = api(alpha.host).post("/graphql/", data=DEEP, content_type="application/json")

    assert response.status_code == 400
    assert "nested deeper than" in response.json()["errors"][0]["message"]


def test_brackets_inside_strings_are_not_nesting(api, alpha, guest):
    password = "[" * 40 + "{" * 40  # an odd password is still just a string

    response = api(alpha.host).post(
        "/api/v1/auth/token", {"email": guest.email, "password": password}, format="json"
    )

    assert response.status_code == 401  # wrong password, not refused as too deep


def test_a_body_over_the_size_limit_is_a_json_400(api, alpha, platform_host, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = b'{"email": "' + b"a" * 20_000 + b'"}'

    for host in (alpha.host, platform_host):
        response = api(host).post("/api/v1/auth/token", data=body, content_type="application/json")

        assert response.status_code == 400, host
        assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "1999-12", "2101-01"])
def test_a_calendar_month_out_of_range_is_a_400(api, alpha, host, month):
    from tenant_apps.listings.tests.factories import listing_factory

    listing = listing_factory(alpha.tenant, host)

    response = api(alpha.host).get(f"/api/v1/properties/{listing.pk}/calendar", {"month": month})

    assert response.status_code == 400, response.content
    assert response.json()["fields"]["month"] == ["Use a month between 2000 and 2100."]


@pytest.mark.parametrize(
    ("check_in", "check_out"), [("0001-01-01", "9999-12-31"), ("2027-01-01", "9999-12-31")]
)
def test_a_quote_with_years_out_of_range_is_a_400(api, alpha, host, check_in, check_out):
    from tenant_apps.listings.tests.factories import listing_factory

    listing = listing_factory(alpha.tenant, host)

    response = api(alpha.host).get(
        f"/api/v1/properties/{listing.pk}/quote", {"check_in": check_in, "check_out": check_out}
    )

    assert response.status_code == 400, response.content
    assert "Use a date between 2000-01-01 and 2100-12-31." in str(response.json()["fields"])


@pytest.mark.parametrize(
    "query",
    [
        "{ properties(first: null) { items { id } } }",
        'query { propertyReviews(propertyId: "%s", first: null) { items { id } } }',
    ],
    ids=["properties", "propertyReviews"],
)
def test_graphql_first_null_is_refused_not_a_500(api, alpha, host, query):
    from tenant_apps.listings.tests.factories import listing_factory

    listing = listing_factory(alpha.tenant, host)
    body = {"query": query.replace("%s", str(listing.pk))}

    response = api(alpha.host).post("/graphql/", body, format="json")

    assert response.status_code < 500
    errors = response.json()["errors"]
    assert any("PageSize!" in error["message"] for error in errors), errors
