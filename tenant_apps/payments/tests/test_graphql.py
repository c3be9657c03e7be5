"""Payments through GraphQL: the same service and answers as REST."""

from django_tenants.utils import tenant_context

from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.payments.tests.fakes import stripe_event
from tenant_apps.payments.tests.helpers import book, post_stripe_event

START = """
mutation Start($id: UUID!) {
  startPayment(bookingId: $id) {
    errors { field code message }
    provider clientSecret publishableKey
    payment { id reference amount currency status captureManually }
  }
}"""
PAYMENTS = """
query Payments($id: UUID!) {
  bookingPayments(bookingId: $id) { id status amount refunds { amount status } }
}"""


def test_start_payment_matches_rest_and_a_webhook_confirms(
    alpha, api, gql, guest, instant, stripe_keys, fake_stripe
):
    booking = book(alpha, instant, guest)

    status, body = gql(alpha.host, guest)(START, {"id": str(booking.pk)})

    started = body["data"]["startPayment"]
    assert status == 200
    assert started["errors"] == []
    assert started["provider"] == "stripe"
    assert started["publishableKey"] == stripe_keys["publishable_key"]
    rest = api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments").json()
    assert rest["payment"]["id"] == started["payment"]["id"]  # the same open payment
    assert rest["client_secret"] == started["clientSecret"]

    paid = fake_stripe.confirm(stripe_keys["secret_key"], started["payment"]["reference"])
    post_stripe_event(
        api(alpha.host), stripe_event("payment_intent.succeeded", paid),
        stripe_keys["webhook_secret"],
    )  # fmt: skip
    _, listed = gql(alpha.host, guest)(PAYMENTS, {"id": str(booking.pk)})
    assert [p["status"] for p in listed["data"]["bookingPayments"]] == ["succeeded"]
    with tenant_context(alpha.tenant):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_start_payment_errors_are_typed(
    alpha, bravo, gql, guest, instant, stripe_keys, fake_stripe
):
    booking = book(alpha, instant, guest)
    fake_stripe.down = True

    _, outage = gql(alpha.host, guest)(START, {"id": str(booking.pk)})
    # Bravo's admin at bravo's host: alpha's booking doesn't exist there.
    _, foreign = gql(bravo.host, bravo.admin)(START, {"id": str(booking.pk)})

    assert outage["data"]["startPayment"]["errors"][0]["code"] == "provider_unavailable"
    assert outage["data"]["startPayment"]["payment"] is None
    assert foreign["data"]["startPayment"]["errors"][0]["code"] == "not_found"


OFFLINE_START = """
mutation Start($id: UUID!, $method: String) {
  startPayment(bookingId: $id, method: $method) {
    errors { field code message }
    instructions returnUrl
    payment { id method status }
  }
}"""


def test_an_offline_guest_chooses_a_method_and_reads_the_instructions_in_graphql(
    alpha, api, gql, guest, instant
):
    booking = book(alpha, instant, guest)

    _, body = gql(alpha.host, guest)(OFFLINE_START, {"id": str(booking.pk), "method": "cash"})
    _, bad = gql(alpha.host, guest)(OFFLINE_START, {"id": str(booking.pk), "method": "gold"})

    started = body["data"]["startPayment"]
    assert started["errors"] == []
    assert started["payment"]["method"] == "cash"
    assert "Alpha Mountain Stays" in started["instructions"]
    assert started["returnUrl"].endswith(f"/trips/{booking.pk}/")
    rest = api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments").json()
    assert rest["instructions"] == started["instructions"]
    assert rest["payment"]["id"] == started["payment"]["id"]
    assert bad["data"]["startPayment"]["errors"][0]["field"] == "method"
