"""The booking creation path: one lock, one check, one insert, one transition and its
outbox message, and nothing more (docs/benchmarks.md states this floor); a conflict the
database catches is still a clean 409."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.bookings import services
from tenant_apps.bookings.models import Booking, BookingTransition
from tenant_apps.listings.tests.factories import listing_factory

BOOKINGS = "/api/v1/bookings"

# The statements of booking_create, in order, once its transaction commits (the outbox
# relay publishes the notification and marks the message sent). Before: 13, with the
# booking policy read twice, blocks and bookings checked in two queries, a savepoint
# around the insert, and the outbox row read back before publishing.
SERVICE_STATEMENTS = [
    "SELECT listings_property FOR UPDATE",  # the lock
    "SELECT bookings_bookingpolicy",  # fees, booking window
    "SELECT EXISTS(blocks), EXISTS(bookings)",  # dates free? (the constraint has the last word)
    "INSERT bookings_booking",  # the exclusion constraint checks here
    "INSERT bookings_bookingtransition",
    "INSERT core_outboxmessage",  # in the same transaction as the booking
    "UPDATE core_outboxmessage",  # after the commit: published, marked sent
]


def _day(days: int) -> date:
    return date.today() + timedelta(days=days)  # noqa: DTZ011


def _body(listing, *, check_in: int = 10, check_out: int = 13) -> dict:
    """A booking request of one guest for `listing`, its dates in days from today."""
    return {
        "property_id": str(listing.id),
        "check_in": _day(check_in),
        "check_out": _day(check_out),
        "guests": 1,
    }


@pytest.fixture
def listing(alpha, host):
    return listing_factory(alpha.tenant, host, nightly_price=Decimal("100"))


def _kind(sql: str) -> str:
    """A statement's short name, as in SERVICE_STATEMENTS."""
    words = sql.split()
    if words[0] == "SET" or words[0] in ("SAVEPOINT", "RELEASE"):
        return words[0]
    table = next(w for w in words if w.startswith('"') and "_" in w and "." not in w)
    table = table.strip('"(')
    if words[0] == "SELECT" and "EXISTS" in sql:
        return "SELECT EXISTS(blocks), EXISTS(bookings)"
    if words[0] == "SELECT" and sql.rstrip().endswith("FOR UPDATE"):
        return f"SELECT {table} FOR UPDATE"
    return f"{words[0]} {table}"


def test_booking_creation_runs_its_floor_of_statements(
    alpha, guest, listing, django_capture_on_commit_callbacks
):
    with tenant_context(alpha.tenant):
        with (
            CaptureQueriesContext(connection) as captured,
            django_capture_on_commit_callbacks(execute=True),
        ):
            booking = services.booking_create(
                property_id=listing.pk, guest=guest, check_in=_day(10), check_out=_day(12),
                guests=1,
            )  # fmt: skip
        kinds = [_kind(q["sql"]) for q in captured.captured_queries]
        steps = BookingTransition.objects.filter(booking=booking).count()

    # SET search_path (django-tenants, before each statement) and the test's own savepoint
    # (the test runs inside a transaction) are not the service's work.
    assert [k for k in kinds if k not in ("SET", "SAVEPOINT", "RELEASE")] == SERVICE_STATEMENTS
    assert steps == 1


def test_the_api_pins_the_query_count_of_a_booking(
    api, alpha, guest, listing, django_capture_on_commit_callbacks
):
    client = api(alpha.host, guest)
    body = _body(listing, check_out=12)
    client.post(BOOKINGS, _body(listing, check_in=20, check_out=22))  # warm

    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(BOOKINGS, body)

    assert response.status_code == 201, response.json()
    # The request's own 2 (the user, the membership; the host's marketplace comes from the
    # process's host map) + the service's 7 + the test transaction's savepoint and
    # release: 11 (18 before).
    # `SET search_path` is left out: how many django-tenants sends depends on
    # TENANT_LIMIT_SET_CALLS (one before each statement without it: 11 more).
    statements = [q["sql"] for q in captured.captured_queries]
    assert len([sql for sql in statements if not sql.startswith("SET ")]) == 11, statements


def test_a_conflict_only_the_database_catches_is_a_409_and_leaves_nothing(
    api, alpha, guest, listing
):
    """Two requests racing past the check: the second's insert meets the exclusion
    constraint. Without a savepoint around the insert the whole transaction goes, cleanly."""
    client = api(alpha.host, guest)
    body = _body(listing)
    assert client.post(BOOKINGS, body).status_code == 201

    with mock.patch.object(services, "dates_taken", return_value=(False, False)):
        response = client.post(BOOKINGS, _body(listing, check_in=11))

    assert response.status_code == 409
    assert response.json()["code"] == "dates_unavailable"
    with tenant_context(alpha.tenant):
        assert Booking.objects.count() == 1
        assert BookingTransition.objects.count() == 1
    assert client.get(BOOKINGS).status_code == 200  # the connection is still usable


def test_blocks_and_bookings_are_still_told_apart(api, alpha, host, guest, listing):
    client = api(alpha.host, guest)
    body = _body(listing)
    assert client.post(BOOKINGS, body).status_code == 201
    with tenant_context(alpha.tenant):
        listing.blocks.create(start=_day(30), end=_day(32))

    booked = client.post(BOOKINGS, _body(listing, check_in=12, check_out=14))
    blocked = client.post(BOOKINGS, _body(listing, check_in=31, check_out=33))

    assert booked.status_code == blocked.status_code == 409
    assert booked.json()["message"] == "These dates are already booked."
    assert blocked.json()["message"] == "The host blocked some of these dates."
