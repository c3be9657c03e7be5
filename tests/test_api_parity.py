"""REST and GraphQL tell the same story: for property detail, reviews, bookings and quotes,
every field the REST answer has is asked for in GraphQL under its camelCase name and must
hold the same value, datetimes to the character; errors name their fields in each API's
own casing (snake_case in REST, camelCase in GraphQL) with the same codes.

The GraphQL selection is built from the REST answer itself, so a field added to a REST
serializer and not to the GraphQL type makes the query invalid and this test fail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from graphene.utils.str_converters import to_camel_case

from shared_apps.accounts.constants import Role
from tenant_apps.bookings.tests.factories import stay_factory
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.reviews.tests.factories import review_factory

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")


def _selection(value) -> str:
    """A GraphQL selection set asking for every field of a REST answer, camelCased."""
    if isinstance(value, list):
        return _selection(value[0]) if value and isinstance(value[0], dict) else ""
    if not isinstance(value, dict):
        return ""
    parts = [to_camel_case(key) + _selection(item) for key, item in value.items()]
    return " { " + " ".join(parts) + " }"


def _assert_same(rest, graphql, where: str = "") -> list[str]:
    """Every REST field equals its camelCase GraphQL twin; returns the datetimes seen."""
    seen = []
    if isinstance(rest, dict):
        for key, value in rest.items():
            name = to_camel_case(key)
            assert name in graphql, f"{where}.{key} is missing from GraphQL"
            seen += _assert_same(value, graphql[name], f"{where}.{key}")
    elif isinstance(rest, list):
        assert len(rest) == len(graphql), where
        for index, (one, other) in enumerate(zip(rest, graphql, strict=True)):
            seen += _assert_same(one, other, f"{where}[{index}]")
    else:
        assert rest == graphql, f"{where}: REST {rest!r} != GraphQL {graphql!r}"
        if isinstance(rest, str) and RFC3339_UTC.match(rest):
            seen.append(rest)
    return seen


def _day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def world(alpha, make_member):
    host = make_member(alpha.tenant, Role.HOST).user
    guest = make_member(alpha.tenant).user
    listing = listing_factory(alpha.tenant, host)
    stay = stay_factory(alpha.tenant, guest, listing)
    review = review_factory(alpha.tenant, stay, cleanliness=4)
    return {"host": host, "guest": guest, "listing": listing, "stay": stay, "review": review}


def test_property_detail_is_the_same_in_both(api, gql, alpha, world):
    listing = world["listing"]
    rest = api(alpha.host).get(f"/api/v1/properties/{listing.id}").json()

    _, body = gql(alpha.host)(f'{{ property(id: "{listing.id}"){_selection(rest)} }}')

    assert "errors" not in body, body
    datetimes = _assert_same(rest, body["data"]["property"], "property")
    assert {"created", "updated"} <= set(rest)
    assert len(datetimes) >= 2


def test_reviews_are_the_same_in_both(api, gql, alpha, world):
    listing = world["listing"]
    rest = api(alpha.host).get(f"/api/v1/properties/{listing.id}/reviews").json()
    assert rest["results"], "a review to compare"

    _, body = gql(alpha.host)(
        f'{{ propertyReviews(propertyId: "{listing.id}") '
        f"{{ items{_selection(rest['results'])} }} }}"
    )

    assert "errors" not in body, body
    datetimes = _assert_same(rest["results"], body["data"]["propertyReviews"]["items"], "reviews")
    assert datetimes, "the review's `created` is compared"
    assert rest["results"][0]["author"]["first_name"] == world["guest"].first_name


def test_bookings_are_the_same_in_both(api, gql, alpha, world):
    guest, stay = world["guest"], world["stay"]
    detail = api(alpha.host, guest).get(f"/api/v1/bookings/{stay.id}").json()
    trips = api(alpha.host, guest).get("/api/v1/bookings").json()["results"]

    _, one = gql(alpha.host, guest)(f'{{ booking(id: "{stay.id}"){_selection(detail)} }}')
    _, page = gql(alpha.host, guest)(f"{{ myBookings {{ items{_selection(trips)} }} }}")

    assert "errors" not in one, one
    assert "errors" not in page, page
    datetimes = _assert_same(detail, one["data"]["booking"], "booking")
    _assert_same(trips, page["data"]["myBookings"]["items"], "bookings")
    assert detail["property_id"] == str(world["listing"].id)
    assert len(datetimes) >= 3  # confirmed_at, created, updated


@pytest.mark.parametrize(
    "stay",
    [
        {"check_in": _day(20), "check_out": _day(23), "guests": 2},  # bookable
        {"check_in": _day(20), "check_out": _day(20), "guests": 99},  # problems
    ],
)
def test_quotes_are_the_same_in_both_with_problems_in_each_casing(api, gql, alpha, world, stay):
    listing = world["listing"]
    rest = api(alpha.host).get(f"/api/v1/properties/{listing.id}/quote", stay).json()
    arguments = (
        f'propertyId: "{listing.id}", checkIn: "{stay["check_in"]}", '
        f'checkOut: "{stay["check_out"]}", guests: {stay["guests"]}'
    )
    selection = "{ bookable problems { code field message } price { " + " ".join(
        to_camel_case(key) for key in (rest["price"] or {"total": 0})
    ) + " } }"  # fmt: skip

    _, body = gql(alpha.host)(f"{{ quote({arguments}) {selection} }}")

    graphql = body["data"]["quote"]
    assert graphql["bookable"] == rest["bookable"]
    if rest["price"] is not None:
        _assert_same(rest["price"], graphql["price"], "price")
    assert [(p["code"], p["message"]) for p in graphql["problems"]] == [
        (p["code"], p["message"]) for p in rest["problems"]
    ]
    # The same fields at fault, each named in its API's casing.
    assert [p["field"] for p in graphql["problems"]] == [
        to_camel_case(p["field"]) for p in rest["problems"]
    ]
    if not rest["bookable"]:
        assert any("_" in p["field"] for p in rest["problems"])
        assert all("_" not in p["field"] for p in graphql["problems"])


def test_a_refused_booking_names_the_same_field_in_each_casing(api, gql, alpha, world):
    guest, listing = world["guest"], world["listing"]
    stay = {"check_in": _day(40), "check_out": _day(39), "guests": 1}

    rest = api(alpha.host, guest).post("/api/v1/bookings", {"property_id": str(listing.id), **stay})
    _, body = gql(alpha.host, guest)(
        "mutation($input: BookingInput!) { createBooking(input: $input) "
        "{ errors { field code message } } }",
        {"input": {"propertyId": str(listing.id), "checkIn": stay["check_in"],
                   "checkOut": stay["check_out"], "guests": 1}},
    )  # fmt: skip

    assert rest.status_code == 400, rest.content
    errors = body["data"]["createBooking"]["errors"]
    named = sorted(rest.json()["fields"])
    assert any("_" in name for name in named), named  # e.g. check_out
    assert sorted(e["field"] for e in errors) == sorted(to_camel_case(n) for n in named)
    assert {e["code"] for e in errors} == {rest.json()["code"]}


def test_a_query_error_names_its_fields_in_camel_case(gql, alpha, world):
    listing = world["listing"]

    _, body = gql(alpha.host)(
        f'{{ quote(propertyId: "{listing.id}", checkIn: "1999-01-01", '
        f'checkOut: "2000-01-03") {{ bookable }} }}'
    )

    fields = body["errors"][0]["extensions"]["fields"]
    assert "checkIn" in fields
    assert all("_" not in name for name in fields)
