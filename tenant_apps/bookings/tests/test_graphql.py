"""Bookings through GraphQL: the same quote, booking and transitions as REST for the same
inputs, with the same rules and typed errors."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.listings.tests.factories import listing_factory
from tests.support.days import day

BOOKING_FIELDS = """id status checkIn checkOut guests currency nights nightlyPrice subtotal
cleaningFee guestFee hostFee taxes total cancellationPolicy refundAmount propertyId
propertyTitle guestId guestFirstName"""
CREATE = f"""mutation($input: BookingInput!) {{ createBooking(input: $input) {{
  booking {{ {BOOKING_FIELDS} }} errors {{ field code message }} }} }}"""
QUOTE = """query($id: UUID!, $in: Date!, $out: Date!, $guests: Int) {
  quote(propertyId: $id, checkIn: $in, checkOut: $out, guests: $guests) {
    bookable problems { code field message }
    price { currency nights nightlyPrice subtotal cleaningFee guestFee taxes total }
  } }"""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@pytest.fixture
def listings(alpha, host):
    """Two listings alike in everything that sets a price."""
    return [
        listing_factory(alpha.tenant, host, nightly_price=Decimal("99.99"),
                        cleaning_fee=Decimal("33.33"), max_guests=3)
        for _ in range(2)
    ]  # fmt: skip


def test_quote_is_the_rest_quote(api, gql, alpha, guest, listings):
    listing = listings[0]
    # bookable; too many guests; in the past
    for start, nights, guests in [(5, 3, 2), (5, 3, 9), (-2, 3, 1)]:
        params = {
            "check_in": day(start).isoformat(),
            "check_out": day(start + nights).isoformat(),
            "guests": guests,
        }

        rest = api(alpha.host, guest).get(f"/api/v1/properties/{listing.id}/quote", params).json()
        _, body = gql(alpha.host, guest)(
            QUOTE, {"id": str(listing.id), "in": params["check_in"],
                    "out": params["check_out"], "guests": guests},
        )  # fmt: skip
        graphql = body["data"]["quote"]

        assert graphql["bookable"] == rest["bookable"], params
        assert graphql["problems"] == [
            {**problem, "field": _camel(problem["field"])} for problem in rest["problems"]
        ], params
        assert graphql["price"] == {_camel(k): v for k, v in rest["price"].items()}, params


def test_booking_through_graphql_is_booking_through_rest(api, gql, alpha, guest, listings):
    stay = {"check_in": day(10).isoformat(), "check_out": day(13).isoformat(), "guests": 2}

    by_rest = api(alpha.host, guest).post(
        "/api/v1/bookings", {"property_id": str(listings[0].id), **stay}
    )
    _, body = gql(alpha.host, guest)(
        CREATE, {"input": {"propertyId": str(listings[1].id), "checkIn": stay["check_in"],
                           "checkOut": stay["check_out"], "guests": 2}},
    )  # fmt: skip
    by_graphql = body["data"]["createBooking"]
    stored = api(alpha.host, guest).get(f"/api/v1/bookings/{by_graphql['booking']['id']}")

    assert by_rest.status_code == 201
    assert by_graphql["errors"] == []
    same = ["status", "check_in", "check_out", "guests", "currency", "nights", "nightly_price",
            "subtotal", "cleaning_fee", "guest_fee", "host_fee", "taxes", "total",
            "cancellation_policy", "refund_amount", "guest_id", "guest_first_name"]  # fmt: skip
    for field in same:
        graphql_name = _camel(field)
        assert by_graphql["booking"][graphql_name] == by_rest.json()[field], field
        assert by_graphql["booking"][graphql_name] == stored.json()[field], field
    # 3 x 99.99 + 33.33 = 333.30, plus the 14% guest fee 46.66
    assert by_graphql["booking"]["total"] == "379.96"


def test_the_same_booking_rules_as_rest_with_typed_errors(api, gql, alpha, guest, host, listings):
    listing = str(listings[0].id)
    stay = {
        "propertyId": listing,
        "checkIn": day(10).isoformat(),
        "checkOut": day(13).isoformat(),
        "guests": 2,
    }
    book = gql(alpha.host, guest)

    _, first = book(CREATE, {"input": stay})
    _, overlapping = book(
        CREATE, {"input": {**stay, "checkIn": day(11).isoformat(), "checkOut": day(12).isoformat()}}
    )
    crowd = {**stay, "checkIn": day(30).isoformat(), "checkOut": day(31).isoformat(), "guests": 9}
    _, too_many = book(CREATE, {"input": crowd})
    own_stay = {**stay, "checkIn": day(40).isoformat(), "checkOut": day(42).isoformat()}
    _, own = gql(alpha.host, host)(CREATE, {"input": own_stay})
    _, anonymous = gql(alpha.host)(CREATE, {"input": stay})

    assert first["data"]["createBooking"]["errors"] == []
    assert overlapping["data"]["createBooking"]["errors"][0]["code"] == "dates_unavailable"
    assert too_many["data"]["createBooking"]["errors"] == [
        {"field": "guests", "code": "too_many_guests",
         "message": "This listing sleeps 1 to 3 guests."}
    ]  # fmt: skip
    assert own["data"]["createBooking"]["errors"][0]["code"] == "own_listing"
    assert anonymous["data"]["createBooking"]["errors"][0]["code"] == "not_authenticated"


TRANSITION = """mutation($id: UUID!) {{ {name}(id: $id, note: "ok") {{
  booking {{ status refundAmount }} errors {{ code message }} }} }}"""


def test_hosts_accept_and_guests_cancel_through_graphql(api, gql, alpha, guest, host, listings):
    _, created = gql(alpha.host, guest)(
        CREATE, {"input": {"propertyId": str(listings[0].id), "checkIn": day(30).isoformat(),
                           "checkOut": day(33).isoformat(), "guests": 2}},
    )  # fmt: skip
    booking_id = created["data"]["createBooking"]["booking"]["id"]
    variables = {"id": booking_id}

    _, guest_accepts = gql(alpha.host, guest)(TRANSITION.format(name="acceptBooking"), variables)
    _, accepted = gql(alpha.host, host)(TRANSITION.format(name="acceptBooking"), variables)
    _, declined_late = gql(alpha.host, host)(TRANSITION.format(name="declineBooking"), variables)
    _, cancelled = gql(alpha.host, guest)(TRANSITION.format(name="cancelBooking"), variables)
    rest = api(alpha.host, host).get(f"/api/v1/bookings/{booking_id}").json()

    assert guest_accepts["data"]["acceptBooking"]["errors"][0]["code"] == "not_the_host"
    assert accepted["data"]["acceptBooking"]["booking"]["status"] == "confirmed"
    assert declined_late["data"]["declineBooking"]["errors"][0]["code"] == "illegal_transition"
    assert cancelled["data"]["cancelBooking"]["booking"] == {
        "status": "cancelled",
        "refundAmount": rest["refund_amount"],
    }
    assert rest["status"] == "cancelled"


MY_BOOKINGS = """query($as: BookingSide, $first: PageSize) { myBookings(as: $as, first: $first) {
  items { id property { id photos { url } host { firstName } reviews { rating } } }
  nextCursor } }"""


def test_my_bookings_match_rest_and_run_a_fixed_number_of_queries(
    api, gql, alpha, guest, host, make_member
):
    def mine(user, side="GUEST"):
        with CaptureQueriesContext(connection) as captured:
            _, body = gql(alpha.host, user)(MY_BOOKINGS, {"as": side, "first": 50})
        return len(captured), [item["id"] for item in body["data"]["myBookings"]["items"]]

    def book(nth):
        listing = listing_factory(alpha.tenant, host)
        api(alpha.host, guest).post("/api/v1/bookings", {
            "property_id": str(listing.id), "check_in": day(10 + nth).isoformat(),
            "check_out": day(12 + nth).isoformat(), "guests": 1,
        })  # fmt: skip

    book(0)
    one, _ = mine(guest)
    for nth in range(1, 4):
        book(nth)
    many, trips = mine(guest)
    _, as_host = mine(host, "HOST")
    stranger = make_member(alpha.tenant).user

    rest = api(alpha.host, guest).get("/api/v1/bookings").json()["results"]
    assert trips == [row["id"] for row in rest]
    assert len(trips) == 4
    assert sorted(as_host) == sorted(trips)
    assert one == many
    assert mine(stranger)[1] == []


def test_a_booking_is_seen_by_its_guest_and_host_only(gql, alpha, bravo, guest, host, listings,
                                                      make_member):  # fmt: skip
    _, created = gql(alpha.host, guest)(
        CREATE, {"input": {"propertyId": str(listings[0].id), "checkIn": day(30).isoformat(),
                           "checkOut": day(33).isoformat(), "guests": 2}},
    )  # fmt: skip
    query = "query($id: UUID!) { booking(id: $id) { id status } }"
    variables = {"id": created["data"]["createBooking"]["booking"]["id"]}
    bravo_member = make_member(bravo.tenant).user

    _, by_guest = gql(alpha.host, guest)(query, variables)
    _, by_host = gql(alpha.host, host)(query, variables)
    _, by_stranger = gql(alpha.host, make_member(alpha.tenant).user)(query, variables)
    _, from_bravo = gql(bravo.host, bravo_member)(query, variables)

    assert by_guest["data"]["booking"]["status"] == "requested"
    assert by_host["data"]["booking"] == by_guest["data"]["booking"]
    assert by_stranger["data"]["booking"] is None
    assert from_bravo["data"]["booking"] is None


def test_rest_and_graphql_share_one_booking_throttle(api, gql, alpha, guest, listings,
                                                     monkeypatch):  # fmt: skip
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"booking": "2/min"})

    def graphql_booking(start):
        _, body = gql(alpha.host, guest)(CREATE, {"input": {
            "propertyId": str(listings[1].id), "checkIn": day(start).isoformat(),
            "checkOut": day(start + 1).isoformat(), "guests": 1,
        }})  # fmt: skip
        return body["data"]["createBooking"]

    by_rest = api(alpha.host, guest).post(
        "/api/v1/bookings",
        {"property_id": str(listings[0].id), "check_in": day(40).isoformat(),
         "check_out": day(41).isoformat(), "guests": 1},
    )  # fmt: skip
    second = graphql_booking(50)
    third = graphql_booking(60)

    assert by_rest.status_code == 201
    assert second["errors"] == []
    assert third["booking"] is None
    assert third["errors"][0]["code"] == "throttled"
    assert "Try again in" in third["errors"][0]["message"]
