"""The GraphQL cost budget (shared_apps/core/graphql/cost.py): hostile documents are refused
while they are parsed or right after, before any other validation, any resolver or any
database work; ordinary queries pass. The 511-alias `calendar` query of issue 15 took 23 s."""

from __future__ import annotations

import json
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from tenant_apps.listings.tests.factories import listing_factory

DETAIL = """query($id: UUID!) { property(id: $id) {
  id title description propertyType maxGuests bedrooms beds bathrooms nightlyPrice cleaningFee
  instantBook checkInTime checkOutTime houseRules cancellationPolicy ratingAverage ratingCount
  currency address { street city region postalCode country } amenities
  photos { id width height url renditions { width url } }
  host { firstName avatarUrl } calendar(month: "2030-01") { date status }
  reviews { rating comment created author { firstName avatarUrl } }
} }"""


def aliased_calendars(listing_id, count: int) -> str:
    """The issue's attack: one expensive field asked for `count` times under aliases."""
    fields = " ".join(f'c{i}:calendar(month:"2030-01"){{date}}' for i in range(count))
    return f'{{property(id:"{listing_id}"){{{fields}}}}}'


@pytest.fixture
def calendar_calls(monkeypatch):
    from tenant_apps.listings import selectors

    calls = []
    real = selectors.property_calendar

    def counted(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(selectors, "property_calendar", counted)
    return calls


def _timed(client, query: str):
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.post("/graphql/", {"query": query}, format="json")
        elapsed = time.perf_counter() - started
    return response, elapsed, len(captured)


def test_the_511_alias_calendar_query_is_refused_before_it_runs(
    alpha, api, host, calendar_calls, capsys
):
    listing = listing_factory(alpha.tenant, host)
    client = api(alpha.host)  # anonymous, as in the report
    attack = aliased_calendars(listing.id, 511)
    body_bytes = len(json.dumps({"query": attack}))
    assert body_bytes < 20_000  # under the request size cap: the budget is what stops it
    _, baseline, floor = _timed(client, "{ __typename }")  # warm up: host lookup, parser

    _, baseline, floor = _timed(client, "{ __typename }")
    response, refused_in, queries = _timed(client, attack)

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "query_too_large"
    assert "longer than 1000 tokens" in error["message"]
    assert "data" not in response.json()
    assert calendar_calls == []
    assert queries == floor  # nothing but what every request costs (the host lookup)
    with capsys.disabled():
        print(  # noqa: T201  (the bench line, shown whatever -s says)
            f"\nbench graphql 511-alias calendar ({body_bytes} bytes, anonymous): refused in "
            f"{refused_in * 1000:.1f} ms; `{{ __typename }}` in {baseline * 1000:.1f} ms "
            f"(ratio {refused_in / baseline:.1f}); was 23 s (issue 15)"
        )


def test_aliases_over_the_limit_are_refused_with_the_limit_named(alpha, gql, host, calendar_calls):
    listing = listing_factory(alpha.tenant, host)

    status, body = gql(alpha.host)(aliased_calendars(listing.id, 21))
    allowed_status, allowed = gql(alpha.host)(aliased_calendars(listing.id, 3))

    assert status == 400
    assert [error["extensions"]["code"] for error in body["errors"]] == ["too_many_aliases"]
    assert "more than 20 aliases" in body["errors"][0]["message"]
    assert allowed_status == 200
    assert len(allowed["data"]["property"]) == 3
    assert len(calendar_calls) == 3  # only the allowed query reached the resolver


def test_page_sizes_multiply_the_cost_of_what_is_under_them(alpha, gql, host):
    listing_factory(alpha.tenant, host)
    run = gql(alpha.host)
    nested = "{ properties(first: 50) { items { reviews(first: 50) { author { firstName } } } } }"
    by_variable = (
        "query($n: PageSize!) { properties(first: $n) { items { "
        "reviews(first: $n) { author { firstName } } } } }"
    )

    nested_status, nested_body = run(nested)
    variable_status, variable_body = run(by_variable, {"n": 2})  # counted as the largest page
    small_status, _ = run(
        "{ properties(first: 10) { items { reviews(first: 5) { author { firstName } } } } }"
    )

    for status, body in ((nested_status, nested_body), (variable_status, variable_body)):
        assert status == 400
        assert body["errors"][0]["extensions"]["code"] == "query_too_complex"
        assert "times the page sizes above it" in body["errors"][0]["message"]
    assert small_status == 200


def test_fragments_count_where_they_are_used(alpha, gql):
    # Each fragment spreads the one below it twice: 2**10 copies of `branding { name }`.
    fragments = ["fragment f0 on Query { branding { name } }"] + [
        f"fragment f{n} on Query {{ ...f{n - 1} ...f{n - 1} }}" for n in range(1, 11)
    ]
    query = "{ ...f10 } " + " ".join(fragments)

    started = time.perf_counter()
    status, body = gql(alpha.host)(query)
    elapsed = time.perf_counter() - started

    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "too_many_repeated_fields"
    assert elapsed < 5  # generous: the walk stops at the limit instead of expanding 2**10


def test_repeated_fields_are_refused_before_the_quadratic_standard_rule(alpha, gql, host):
    """OverlappingFieldsCanBeMerged compares every pair of same-named fields: 250 copies of
    `address { city }` took over a second to validate. The budget refuses them first."""
    listing = listing_factory(alpha.tenant, host)
    run = gql(alpha.host)

    status, body = run(f'{{property(id:"{listing.id}"){{{" address{city}" * 100}}}}}')
    twice_status, _ = run(f'{{property(id:"{listing.id}"){{{" address{city}" * 2}}}}}')

    assert status == 400
    assert [e["extensions"]["code"] for e in body["errors"]] == ["too_many_repeated_fields"]
    assert "more than 10 times" in body["errors"][0]["message"]
    assert twice_status == 200  # repeating a field a few times is legal GraphQL


def test_an_ordinary_detail_query_is_well_within_the_budget(alpha, gql, host, calendar_calls):
    listing = listing_factory(alpha.tenant, host)

    # The tight budgets first: once answered, an anonymous query's answer is cached and
    # served early, before any check (it cost nothing to serve).
    with override_settings(GRAPHQL_MAX_COST=10):
        tight_status, tight = gql(alpha.host)(DETAIL, {"id": str(listing.id)})
    with override_settings(GRAPHQL_MAX_FIELDS=20):
        fields_status, fields = gql(alpha.host)(DETAIL, {"id": str(listing.id)})
    status, body = gql(alpha.host)(DETAIL, {"id": str(listing.id)})

    assert status == 200, body
    assert body["data"]["property"]["id"] == str(listing.id)
    assert tight_status == 400
    assert tight["errors"][0]["extensions"]["code"] == "query_too_complex"
    assert "over the limit of 10" in tight["errors"][0]["message"]
    assert fields_status == 400
    assert fields["errors"][0]["extensions"]["code"] == "too_many_fields"
    assert "more than 20 fields" in fields["errors"][0]["message"]
    assert len(calendar_calls) == 1  # the refused ones never reached a resolver
