"""Bookings: quotes, the state machine, refunds, lists; seen from two marketplaces."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from tenant_apps.bookings import services
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking, BookingPolicy
from tenant_apps.bookings.pricing import booking_policy, quote
from tenant_apps.listings.tests.factories import listing_factory
from tests.support.days import day

BOOKINGS = "/api/v1/bookings"


@pytest.fixture
def listing(alpha, host):
    return listing_factory(
        alpha.tenant, host, nightly_price=Decimal("100"), cleaning_fee=Decimal("30")
    )


def book(api, alpha, user, listing, start=10, nights=3, guests=2):
    return api(alpha.host, user).post(
        BOOKINGS,
        {
            "property_id": str(listing.id),
            "check_in": day(start),
            "check_out": day(start + nights),
            "guests": guests,
        },
    )


def test_quote_arithmetic_with_odd_fees_and_rounding(alpha, host):
    prop = listing_factory(
        alpha.tenant, host, nightly_price=Decimal("99.99"), cleaning_fee=Decimal("33.33")
    )
    with tenant_context(alpha.tenant):
        BookingPolicy.objects.filter(pk=booking_policy().pk).update(
            guest_fee_percent=Decimal("14.5"),
            host_fee_percent=Decimal("3"),
            tax_percent=Decimal("7.7"),
        )
        price = quote(property=prop, check_in=day(5), check_out=day(8), currency="USD")
        yen = quote(property=prop, check_in=day(5), check_out=day(8), currency="JPY")

    # 3 x 99.99 = 299.97; + 33.33 = 333.30; guest fee 14.5% = 48.3285 -> 48.33;
    # host fee 3% = 9.999 -> 10.00; taxes 7.7% of 381.63 = 29.38551 -> 29.39.
    assert (price.nights, price.subtotal, price.cleaning_fee) == (
        3,
        Decimal("299.97"),
        Decimal("33.33"),
    )
    assert price.guest_fee == Decimal("48.33")
    assert price.host_fee == Decimal("10.00")
    assert price.taxes == Decimal("29.39")
    assert price.total == Decimal("411.02")
    # whole yen: 300 + 33, fee 48.285 -> 48, taxes 29.337 -> 29
    assert yen.total == Decimal("410")


def test_quote_endpoint_says_why_dates_cannot_be_booked(api, alpha, listing, guest):
    ok = (
        api(alpha.host)
        .get(
            f"/api/v1/properties/{listing.id}/quote",
            {"check_in": day(5), "check_out": day(7), "guests": 2},
        )
        .json()
    )
    too_many = (
        api(alpha.host)
        .get(
            f"/api/v1/properties/{listing.id}/quote",
            {"check_in": day(5), "check_out": day(7), "guests": 9},
        )
        .json()
    )

    assert ok["bookable"] is True
    assert ok["price"]["total"] == "262.20"  # 200 + 30, 14% guest fee = 32.20
    assert too_many["bookable"] is False
    assert too_many["problems"][0]["code"] == "too_many_guests"


def test_request_to_book_goes_requested_then_the_host_accepts(api, alpha, host, guest, listing):
    created = book(api, alpha, guest, listing)
    booking_id = created.json()["id"]

    accepted = api(alpha.host, host).post(f"{BOOKINGS}/{booking_id}/accept")

    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "requested"
    assert created.json()["total"] == "376.20"  # 300 + 30 + 14% = 46.20
    assert accepted.json()["status"] == "confirmed"
    with tenant_context(alpha.tenant):
        steps = list(
            Booking.objects.get(pk=booking_id).transitions.values_list(
                "from_status", "to_status", "actor"
            )
        )
    assert steps == [("", "requested", guest.pk), ("requested", "confirmed", host.pk)]


def test_instant_book_waits_for_payment_then_confirms(api, alpha, host, guest):
    listing = listing_factory(alpha.tenant, host, instant_book=True)
    booking = book(api, alpha, guest, listing).json()
    assert booking["status"] == "pending_payment"

    with tenant_context(alpha.tenant):
        confirmed = services.booking_confirm_payment(booking=Booking.objects.get(pk=booking["id"]))

    assert confirmed.status == BookingStatus.CONFIRMED


def test_a_later_price_change_never_rewrites_a_booking(api, alpha, host, guest, listing):
    booking = book(api, alpha, guest, listing).json()

    api(alpha.host, host).patch(f"/api/v1/properties/{listing.id}", {"nightly_price": "500"})

    assert (
        api(alpha.host, guest).get(f"{BOOKINGS}/{booking['id']}").json()["total"]
        == booking["total"]
    )


@pytest.mark.parametrize(
    ("start", "nights", "guests", "code"),
    [
        (-2, 3, 2, "past_dates"),
        (10, 0, 2, "invalid"),
        (10, 3, 9, "too_many_guests"),
        (400, 3, 2, "too_far_ahead"),
    ],
)
def test_booking_rules_are_4xx_with_a_code(api, alpha, guest, listing, start, nights, guests, code):
    response = book(api, alpha, guest, listing, start=start, nights=nights, guests=guests)

    assert response.status_code == 400
    assert response.json()["code"] in (code, "bad_dates")


def test_min_nights_own_listing_and_unpublished(api, alpha, host, guest):
    weekly = listing_factory(alpha.tenant, host, min_nights=7)
    draft = listing_factory(alpha.tenant, host, publish=False)

    assert book(api, alpha, guest, weekly, nights=3).json()["code"] == "too_short"
    assert book(api, alpha, host, weekly, nights=8).json()["code"] == "own_listing"
    assert book(api, alpha, guest, draft).json()["code"] == "not_bookable"


def test_overlapping_dates_are_a_409_and_back_to_back_is_fine(
    api, alpha, guest, make_member, listing
):
    other = make_member(alpha.tenant).user
    assert book(api, alpha, guest, listing, start=10, nights=3).status_code == 201

    overlap = book(api, alpha, other, listing, start=12, nights=3)
    before = book(api, alpha, other, listing, start=7, nights=3)  # leaves the day guest arrives
    after = book(api, alpha, other, listing, start=13, nights=2)  # arrives the day guest leaves

    assert overlap.status_code == 409
    assert overlap.json()["code"] == "dates_unavailable"
    assert before.status_code == after.status_code == 201


def test_booked_dates_leave_search_and_show_on_the_calendar(api, alpha, guest, listing):
    book(api, alpha, guest, listing, start=10, nights=3)

    def found(start, end):
        rows = (
            api(alpha.host)
            .get("/api/v1/properties", {"check_in": day(start), "check_out": day(end)})
            .json()
        )
        return [row["id"] for row in rows["results"]]

    assert found(11, 12) == []
    assert found(13, 15) == [str(listing.id)]
    first = day(10)
    days = (
        api(alpha.host)
        .get(f"/api/v1/properties/{listing.id}/calendar", {"month": first.strftime("%Y-%m")})
        .json()["days"]
    )
    statuses = {d["date"]: d["status"] for d in days}
    assert statuses[str(first)] == "booked"


def test_a_block_may_not_cover_a_confirmed_stay(api, alpha, host, guest, listing):
    booking = book(api, alpha, guest, listing, start=10, nights=3).json()
    api(alpha.host, host).post(f"{BOOKINGS}/{booking['id']}/accept")

    response = api(alpha.host, host).post(
        f"/api/v1/properties/{listing.id}/blocks", {"start": day(11), "end": day(20)}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "dates_booked"


def test_illegal_transitions_are_409_naming_the_state(api, alpha, host, guest, listing):
    booking = book(api, alpha, guest, listing).json()
    url = f"{BOOKINGS}/{booking['id']}"
    api(alpha.host, host).post(f"{url}/decline")

    again = api(alpha.host, host).post(f"{url}/accept")
    cancel = api(alpha.host, guest).post(f"{url}/cancel")

    assert again.status_code == cancel.status_code == 409
    assert "declined" in again.json()["message"]


def test_only_the_host_answers_and_others_see_nothing(
    api, alpha, host, guest, listing, make_member
):
    booking = book(api, alpha, guest, listing).json()
    stranger = make_member(alpha.tenant, Role.HOST).user
    url = f"{BOOKINGS}/{booking['id']}"

    assert api(alpha.host, guest).post(f"{url}/accept").status_code == 403
    assert api(alpha.host, stranger).get(url).status_code == 404
    assert api(alpha.host, stranger).post(f"{url}/cancel").status_code == 404
    assert api(alpha.host, host).get(url).status_code == 200


def test_trips_and_host_lists(api, alpha, host, guest, listing):
    booking = book(api, alpha, guest, listing).json()

    trips = api(alpha.host, guest).get(BOOKINGS).json()["results"]
    hosting = api(alpha.host, host).get(BOOKINGS, {"as": "host"}).json()["results"]
    hosts_trips = api(alpha.host, host).get(BOOKINGS).json()["results"]
    confirmed = api(alpha.host, guest).get(BOOKINGS, {"status": "confirmed"}).json()["results"]

    assert [b["id"] for b in trips] == [booking["id"]]
    assert [b["id"] for b in hosting] == [booking["id"]]
    assert hosts_trips == confirmed == []
    assert api(alpha.host, guest).get(BOOKINGS, {"as": "owner"}).status_code == 400


def _confirmed(alpha, guest, listing, policy, days_ahead):
    with tenant_context(alpha.tenant):
        listing.cancellation_policy = policy
        listing.save(update_fields=["cancellation_policy"])
        booking = services.booking_create(
            property_id=listing.pk,
            guest=guest,
            check_in=day(days_ahead),
            check_out=day(days_ahead + 2),
            guests=1,
        )
        return services.booking_accept(booking=booking, actor=listing.host)


@pytest.mark.parametrize(
    ("policy", "hours_before", "share"),
    [
        ("flexible", 24, Decimal(1)),
        ("flexible", 23, Decimal(0)),
        ("moderate", 5 * 24, Decimal(1)),
        ("moderate", 5 * 24 - 1, Decimal("0.5")),
        ("strict", 7 * 24, Decimal("0.5")),
        ("strict", 7 * 24 - 1, Decimal(0)),
    ],
)
def test_refunds_follow_the_policy_at_its_edges(alpha, guest, listing, policy, hours_before, share):
    booking = _confirmed(alpha, guest, listing, policy, days_ahead=30)
    with tenant_context(alpha.tenant):
        arrival = datetime.combine(booking.check_in, time(15, 0), tzinfo=ZoneInfo("UTC"))
        refund = services.refund_for(
            booking, by_host=False, now=arrival - timedelta(hours=hours_before)
        )

    assert refund == (booking.total * share).quantize(booking.total)


def test_a_host_cancelling_refunds_everything(api, alpha, guest, listing):
    booking = _confirmed(alpha, guest, listing, "strict", days_ahead=2)

    cancelled = api(alpha.host, listing.host).post(f"{BOOKINGS}/{booking.pk}/cancel").json()

    assert cancelled["status"] == "cancelled"
    assert cancelled["refund_amount"] == cancelled["total"]


def test_marketplaces_never_see_each_others_bookings(api, alpha, bravo, guest, listing):
    booking = book(api, alpha, guest, listing).json()
    from shared_apps.accounts.services import membership_grant

    membership_grant(user=guest, tenant=bravo.tenant, role=Role.GUEST)

    assert api(bravo.host, guest).get(BOOKINGS).json()["results"] == []
    assert api(bravo.host, guest).get(f"{BOOKINGS}/{booking['id']}").status_code == 404
    assert book(api, bravo, guest, listing).status_code == 404  # alpha's listing isn't in bravo


def test_the_database_itself_refuses_overlapping_held_bookings(api, alpha, guest, listing):
    from django.db import IntegrityError, transaction

    booking = book(api, alpha, guest, listing, start=10, nights=3).json()
    with tenant_context(alpha.tenant):
        original = Booking.objects.get(pk=booking["id"])
        clone = {
            f.attname: getattr(original, f.attname)
            for f in Booking._meta.concrete_fields
            if f.attname not in ("id", "created", "updated")
        }
        clone.update(check_in=day(12), check_out=day(14))
        with pytest.raises(IntegrityError), transaction.atomic():
            Booking.objects.create(**clone)  # straight to the table, past every service check
        clone.update(status=BookingStatus.CANCELLED)
        Booking.objects.create(**clone)  # a booking that holds no dates may overlap


def test_lists_filter_by_dates(api, alpha, guest, listing):
    early = book(api, alpha, guest, listing, start=10, nights=2).json()
    late = book(api, alpha, guest, listing, start=40, nights=2).json()

    def ids(**params):
        return [b["id"] for b in api(alpha.host, guest).get(BOOKINGS, params).json()["results"]]

    assert ids(to=day(20)) == [early["id"]]
    assert ids(**{"from": day(20)}) == [late["id"]]
    assert set(ids()) == {early["id"], late["id"]}
    assert api(alpha.host, guest).get(BOOKINGS, {"from": "soon"}).status_code == 400


ALL_STATES = list(BookingStatus.values)


@pytest.mark.parametrize("start", ALL_STATES)
@pytest.mark.parametrize("end", ALL_STATES)
def test_the_state_machine_allows_exactly_its_transitions(alpha, guest, listing, start, end):
    from shared_apps.core.errors import ConflictError
    from tenant_apps.bookings.constants import TRANSITIONS

    with tenant_context(alpha.tenant):
        booking = services.booking_create(
            property_id=listing.pk, guest=guest, check_in=day(10), check_out=day(12), guests=1
        )
        Booking.objects.filter(pk=booking.pk).update(status=start)
        if end in TRANSITIONS.get(start, set()):
            assert services._move(booking, end, guest).status == end
        else:
            with pytest.raises(ConflictError, match="can't become"):
                services._move(booking, end, guest)
            assert Booking.objects.get(pk=booking.pk).status == start
