"""Offline marketplaces (cash, bank transfer: an admin marks bookings paid) and hosts'
earnings, each seen from two marketplaces."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.services import membership_grant
from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking, BookingPolicy
from tenant_apps.bookings.pricing import booking_policy
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.payments import services
from tenant_apps.payments.constants import PaymentStatus, RefundStatus
from tenant_apps.payments.models import Payment, Refund
from tenant_apps.payments.tests.helpers import book


def mark_paid(api, market, user, booking, **body):
    return api(market.host, user).post(
        f"/api/v1/bookings/{booking.pk}/mark-paid", body or {"method": "cash"}, format="json"
    )


@pytest.fixture
def offline(alpha):
    with tenant_context(alpha.tenant):
        services.payment_settings_update(
            provider="offline", offline_instructions="Transfer to IBAN FR76 0000, quote the id."
        )


def test_an_offline_guest_gets_the_marketplaces_instructions(alpha, api, guest, instant, offline):
    booking = book(alpha, instant, guest)

    response = api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments")

    assert response.status_code == 201
    assert response.json()["provider"] == "offline"
    assert response.json()["instructions"] == "Transfer to IBAN FR76 0000, quote the id."
    assert response.json()["payment"]["status"] == PaymentStatus.PENDING


def test_an_admin_marking_a_booking_paid_confirms_it(alpha, api, guest, instant, offline):
    booking = book(alpha, instant, guest)

    response = mark_paid(api, alpha, alpha.admin, booking, method="bank_transfer", note="ref 42")

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == PaymentStatus.SUCCEEDED
    assert response.json()["method"] == "bank_transfer"
    with tenant_context(alpha.tenant):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    again = mark_paid(api, alpha, alpha.admin, booking)
    assert again.status_code == 409
    assert again.json()["code"] == "already_paid"


def test_only_this_marketplaces_admins_mark_bookings_paid(
    alpha, bravo, api, guest, host, instant, offline
):
    booking = book(alpha, instant, guest)

    assert mark_paid(api, alpha, guest, booking).status_code == 403
    assert mark_paid(api, alpha, host, booking).status_code == 403
    # Bravo's admin, at bravo's host: alpha's booking doesn't exist there.
    assert mark_paid(api, bravo, bravo.admin, booking).status_code == 404
    with tenant_context(alpha.tenant):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.PENDING_PAYMENT


def test_marking_paid_on_a_card_marketplace_is_a_409(alpha, api, guest, instant, stripe_keys):
    booking = book(alpha, instant, guest)

    response = mark_paid(api, alpha, alpha.admin, booking)

    assert response.status_code == 409
    assert "Stripe" in response.json()["message"]


def test_an_offline_refund_waits_for_the_marketplace_to_pay_it_back(
    alpha, api, guest, instant, offline, eager_tasks, django_capture_on_commit_callbacks
):
    booking = book(alpha, instant, guest)
    mark_paid(api, alpha, alpha.admin, booking)

    with django_capture_on_commit_callbacks(execute=True):
        api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/cancel")

    with tenant_context(alpha.tenant):
        refund = Refund.objects.get(payment__booking=booking)
        assert refund.status == RefundStatus.REQUIRES_ACTION
        assert refund.amount == Booking.objects.get(pk=booking.pk).refund_amount
        services.refund_mark_paid(refund=refund)
        payment = Payment.objects.get(booking=booking)
        assert payment.amount_refunded == refund.amount
        assert payment.status in (PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED)


def test_the_payments_of_a_booking_are_shown_to_its_guest_and_host_only(
    alpha, api, guest, host, instant, offline, make_member
):
    booking = book(alpha, instant, guest)
    mark_paid(api, alpha, alpha.admin, booking)
    url = f"/api/v1/bookings/{booking.pk}/payments"

    for party in (guest, host):
        [payment] = api(alpha.host, party).get(url).json()
        assert payment["status"] == PaymentStatus.SUCCEEDED
    assert api(alpha.host, make_member(alpha.tenant).user).get(url).status_code == 404


# --- payouts --------------------------------------------------------------------------------------
def _completed_stay(market, listing, guest, *, start: int):
    booking = book(market, listing, guest, start=start)
    with tenant_context(market.tenant):
        services.payment_mark_paid(booking_id=booking.pk, method="cash")  # confirms it
        bookings.booking_complete(booking=Booking.objects.get(pk=booking.pk))
        return Booking.objects.get(pk=booking.pk)


def test_a_host_sees_what_each_completed_stay_earned(alpha, api, guest, host, instant, offline):
    first = _completed_stay(alpha, instant, guest, start=10)
    second = _completed_stay(alpha, instant, guest, start=20)
    book(alpha, instant, guest, start=40)  # not completed: not a payout yet

    response = api(alpha.host, host).get("/api/v1/payouts")

    body = response.json()
    assert response.status_code == 200
    assert {row["booking"] for row in body["results"]} == {str(first.pk), str(second.pk)}
    row = next(r for r in body["results"] if r["booking"] == str(first.pk))
    owed = first.subtotal + first.cleaning_fee - first.host_fee
    assert Decimal(row["host_payout"]) == owed
    assert Decimal(row["guest_paid"]) == first.total
    assert Decimal(row["host_fee"]) == first.host_fee
    [total] = body["totals"]
    assert total["stays"] == 2
    assert Decimal(total["host_payout"]) == owed * 2
    assert total["currency"] == first.currency


def test_payouts_filter_by_date_and_never_show_another_hosts_stays(
    alpha, bravo, api, guest, host, instant, offline, make_member
):
    _completed_stay(alpha, instant, guest, start=10)
    later = _completed_stay(alpha, instant, guest, start=20)
    other_host = make_member(alpha.tenant, Role.HOST).user
    other_listing = listing_factory(alpha.tenant, other_host, instant_book=True)
    _completed_stay(alpha, other_listing, guest, start=30)

    mine = api(alpha.host, host).get("/api/v1/payouts", {"from": str(later.check_out)}).json()
    assert [r["booking"] for r in mine["results"]] == [str(later.pk)]
    theirs = api(alpha.host, other_host).get("/api/v1/payouts").json()
    assert len(theirs["results"]) == 1
    assert theirs["results"][0]["booking"] != str(later.pk)
    # The same host has no stays in bravo, even as a host there.
    membership_grant(user=host, tenant=bravo.tenant, role=Role.HOST)
    assert api(bravo.host, host).get("/api/v1/payouts").json()["results"] == []


def test_guests_have_no_payouts(alpha, api, guest):
    response = api(alpha.host, guest).get("/api/v1/payouts")

    assert response.status_code == 403


def test_a_bad_date_filter_is_a_400(alpha, api, host):
    response = api(alpha.host, host).get("/api/v1/payouts", {"from": "yesterday"})

    assert response.status_code == 400
    assert "from" in response.json()["fields"]


# --- request to book on an offline marketplace ----------------------------------------------------
def _accept(api, market, host, booking):
    return api(market.host, host).post(f"/api/v1/bookings/{booking.pk}/accept")


def test_an_accepted_offline_request_waits_for_payment_and_shows_default_instructions(
    alpha, api, guest, host, on_request
):
    booking = book(alpha, on_request, guest)

    accepted = _accept(api, alpha, host, booking)
    started = api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments")

    assert accepted.json()["status"] == BookingStatus.PENDING_PAYMENT
    assert started.status_code == 201, started.json()
    instructions = started.json()["instructions"]
    # No instructions written yet: a default that names the marketplace and the booking.
    assert "Alpha Mountain Stays" in instructions
    assert str(booking.pk)[:8].upper() in instructions
    confirmed = mark_paid(api, alpha, alpha.admin, booking, method="bank_transfer")
    assert confirmed.status_code == 201, confirmed.json()
    with tenant_context(alpha.tenant):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_guests_read_the_instructions_their_admin_wrote(alpha, api, guest, instant):
    written = "Pay cash at the front desk of the lodge, quoting your booking."
    saved = api(alpha.host, alpha.admin).put(
        "/api/v1/payment-settings",
        {"provider": "offline", "offline_instructions": written},
        format="json",
    )
    booking = book(alpha, instant, guest)

    started = api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments")

    assert saved.status_code == 200, saved.json()
    assert started.json()["instructions"] == written


def test_marking_a_request_paid_before_its_host_accepts_is_a_409(
    alpha, api, guest, on_request, offline
):
    booking = book(alpha, on_request, guest)

    response = mark_paid(api, alpha, alpha.admin, booking)

    assert response.status_code == 409
    assert response.json()["code"] == "not_awaiting_payment"
    assert "requested" in response.json()["message"]
    with tenant_context(alpha.tenant):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.REQUESTED
        assert not Payment.objects.filter(booking=booking).exists()


def test_marking_paid_without_a_method_keeps_the_one_the_guest_chose(
    alpha, api, guest, instant, offline
):
    booking = book(alpha, instant, guest)
    api(alpha.host, guest).post(
        f"/api/v1/bookings/{booking.pk}/payments", {"method": "bank_transfer"}, format="json"
    )

    response = api(alpha.host, alpha.admin).post(
        f"/api/v1/bookings/{booking.pk}/mark-paid", {}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["method"] == "bank_transfer"
    assert response.json()["status"] == PaymentStatus.SUCCEEDED


def test_a_marketplace_that_takes_payment_on_arrival_confirms_on_accept(
    alpha, api, guest, host, on_request, offline
):
    with tenant_context(alpha.tenant):
        BookingPolicy.objects.filter(pk=booking_policy().pk).update(collect_payment_on_arrival=True)
    booking = book(alpha, on_request, guest)

    accepted = _accept(api, alpha, host, booking)

    assert accepted.json()["status"] == BookingStatus.CONFIRMED
