"""Paying with Paystack against a local fake of its HTTP API: pay on the hosted page, the
HMAC-SHA512-signed charge.success event confirms; a declined request is refunded in full."""

import pytest
import requests
from django_tenants.utils import tenant_context

from shared_apps.tenants.selectors import marketplace_url
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.payments.constants import PaymentStatus, RefundStatus
from tenant_apps.payments.models import Payment, Refund
from tenant_apps.payments.tests.fakes import paystack_event
from tenant_apps.payments.tests.helpers import book, post_paystack_event, use_paystack


@pytest.fixture
def paystack_keys(alpha, fake_paystack):
    return use_paystack(alpha, fake_paystack)


def _pay(alpha, api, guest, booking, keys, fake):
    body = api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments").json()
    paid = fake.pay(keys["secret_key"], body["payment"]["reference"])
    response = post_paystack_event(
        api(alpha.host), paystack_event("charge.success", paid), keys["secret_key"]
    )
    return body, response


def test_instant_book_paid_on_paystack_is_confirmed(
    alpha, api, guest, instant, paystack_keys, fake_paystack
):
    booking = book(alpha, instant, guest)

    body, response = _pay(alpha, api, guest, booking, paystack_keys, fake_paystack)

    assert body["redirect_url"].startswith("https://checkout.paystack.com/")
    assert body["publishable_key"] == paystack_keys["publishable_key"]
    assert response.status_code == 200
    with tenant_context(alpha.tenant):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
        assert Payment.objects.get(booking=booking).status == PaymentStatus.SUCCEEDED


def test_a_wrong_paystack_signature_is_refused(alpha, api, guest, instant, paystack_keys):
    booking = book(alpha, instant, guest)
    api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments")
    payload = paystack_event("charge.success", {"id": 1, "reference": "x"})

    response = post_paystack_event(api(alpha.host), payload, "sk_test_" + "0" * 40)

    assert response.status_code == 400
    with tenant_context(alpha.tenant):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.PENDING_PAYMENT


def test_a_declined_request_paid_up_front_is_refunded_in_full(
    alpha, api, guest, host, on_request, paystack_keys, fake_paystack, eager_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    booking = book(alpha, on_request, guest)
    _pay(alpha, api, guest, booking, paystack_keys, fake_paystack)  # charged at request time

    with django_capture_on_commit_callbacks(execute=True):
        api(alpha.host, host).post(f"/api/v1/bookings/{booking.pk}/decline")

    [refund] = fake_paystack.refunds(paystack_keys["secret_key"])
    assert refund["amount"] == int(booking.total * 100)
    with tenant_context(alpha.tenant):
        ours = Refund.objects.get(payment__booking=booking)
        assert ours.status == RefundStatus.PENDING  # Paystack processes refunds later

    # Paystack tells us when the money is back, through signed events in its own shape.
    for status in ("pending", "processing", "processed"):
        response = post_paystack_event(
            api(alpha.host),
            fake_paystack.refund_event(paystack_keys["secret_key"], refund["id"], status),
            paystack_keys["secret_key"],
        )
        assert response.status_code == 200, response.json()

    with tenant_context(alpha.tenant):
        payment = Payment.objects.get(booking=booking)
        assert payment.status == PaymentStatus.REFUNDED
        assert payment.amount_refunded == booking.total
        assert Refund.objects.get(payment__booking=booking).status == RefundStatus.SUCCEEDED


def test_accepting_a_request_paid_up_front_confirms_it(
    alpha, api, guest, host, on_request, paystack_keys, fake_paystack
):
    booking = book(alpha, on_request, guest)
    _pay(alpha, api, guest, booking, paystack_keys, fake_paystack)

    response = api(alpha.host, host).post(f"/api/v1/bookings/{booking.pk}/accept")

    assert response.json()["status"] == BookingStatus.CONFIRMED


def test_paystack_refuses_currencies_it_does_not_take(alpha, api, fake_paystack):
    keys = fake_paystack.open_account()
    with tenant_context(alpha.tenant):
        alpha.tenant.currency = "EUR"
        alpha.tenant.save(update_fields=["currency"])

    response = api(alpha.host, alpha.admin).put(
        "/api/v1/payment-settings", {"provider": "paystack", **keys}, format="json"
    )

    assert response.status_code == 400
    assert "doesn't take EUR" in response.json()["fields"]["currency"][0]


# --- refund events as Paystack documents them -----------------------------------------------------
def _refunded_booking(alpha, api, guest, host, listing, keys, fake, capture):
    """A request paid up front, then declined: Paystack holds one refund, pending."""
    booking = book(alpha, listing, guest)
    _pay(alpha, api, guest, booking, keys, fake)
    with capture(execute=True):
        api(alpha.host, host).post(f"/api/v1/bookings/{booking.pk}/decline")
    [refund] = fake.refunds(keys["secret_key"])
    return booking, refund


def test_a_pending_refund_event_keeps_the_refund_pending_and_is_answered_200(
    alpha, api, guest, host, on_request, paystack_keys, fake_paystack, eager_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    booking, refund = _refunded_booking(
        alpha, api, guest, host, on_request, paystack_keys, fake_paystack,
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    payload = fake_paystack.refund_event(paystack_keys["secret_key"], refund["id"], "pending")

    response = post_paystack_event(api(alpha.host), payload, paystack_keys["secret_key"])
    replay = post_paystack_event(api(alpha.host), payload, paystack_keys["secret_key"])

    assert response.status_code == 200, response.json()
    assert response.json()["outcome"] == "refund pending"
    assert replay.json()["outcome"] == "duplicate: already processed"
    with tenant_context(alpha.tenant):
        assert Refund.objects.get(payment__booking=booking).status == RefundStatus.PENDING


def test_a_failed_refund_event_marks_the_refund_failed(
    alpha, api, guest, host, on_request, paystack_keys, fake_paystack, eager_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    booking, refund = _refunded_booking(
        alpha, api, guest, host, on_request, paystack_keys, fake_paystack,
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    payload = fake_paystack.refund_event(paystack_keys["secret_key"], refund["id"], "failed")

    response = post_paystack_event(api(alpha.host), payload, paystack_keys["secret_key"])

    assert response.status_code == 200, response.json()
    with tenant_context(alpha.tenant):
        assert Refund.objects.get(payment__booking=booking).status == RefundStatus.FAILED
        assert Payment.objects.get(booking=booking).amount_refunded == 0


def test_a_refund_event_from_another_marketplace_changes_nothing_here(
    alpha, bravo, api, guest, host, on_request, paystack_keys, fake_paystack, eager_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    booking, refund = _refunded_booking(
        alpha, api, guest, host, on_request, paystack_keys, fake_paystack,
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    bravo_keys = use_paystack(bravo, fake_paystack)
    payload = fake_paystack.refund_event(paystack_keys["secret_key"], refund["id"], "processed")

    # Bravo checks alpha's event with its own key: refused, and alpha's refund is untouched.
    response = post_paystack_event(api(bravo.host), payload, paystack_keys["secret_key"])
    signed_by_bravo = post_paystack_event(api(bravo.host), payload, bravo_keys["secret_key"])

    assert response.status_code == 400
    assert signed_by_bravo.json()["outcome"] == "ignored: no payment here has this reference"
    with tenant_context(alpha.tenant):
        assert Refund.objects.get(payment__booking=booking).status == RefundStatus.PENDING


def test_events_we_do_not_act_on_are_answered_200(alpha, api, paystack_keys):
    payload = paystack_event(
        "subscription.create", {"subscription_code": "SUB_vsyqdmlzble3uii", "status": "active"}
    )

    response = post_paystack_event(api(alpha.host), payload, paystack_keys["secret_key"])

    assert response.status_code == 200, response.json()
    assert response.json()["outcome"].startswith("ignored")


# --- the payment page -----------------------------------------------------------------------------
def test_reopening_the_payment_page_returns_the_same_working_page(
    alpha, api, guest, instant, paystack_keys, fake_paystack
):
    booking = book(alpha, instant, guest)
    url = f"/api/v1/bookings/{booking.pk}/payments"

    first = api(alpha.host, guest).post(url).json()
    second = api(alpha.host, guest).post(url)

    assert second.status_code == 201, second.json()
    assert second.json()["redirect_url"] == first["redirect_url"] != ""
    assert second.json()["client_secret"] == first["client_secret"] != ""  # the access code
    assert second.json()["payment"]["id"] == first["payment"]["id"]
    # Initialized once: never again with the same reference (Paystack refuses duplicates).
    sent = [b["reference"] for b in fake_paystack.initialized]
    assert sent.count(first["payment"]["reference"]) == 1


def test_paystack_sends_the_guest_back_to_their_trip_page(
    alpha, api, guest, instant, paystack_keys, fake_paystack
):
    booking = book(alpha, instant, guest)

    api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments")

    with tenant_context(alpha.tenant):
        base = marketplace_url(tenant=alpha.tenant)
    [sent] = [b for b in fake_paystack.initialized if b["metadata"]["booking"] == str(booking.pk)]
    assert sent["callback_url"] == f"{base}/trips/{booking.pk}/"
    assert alpha.host in base


def test_a_reference_paystack_already_has_gets_a_new_one_with_a_working_page(
    alpha, api, guest, instant, paystack_keys, fake_paystack
):
    booking = book(alpha, instant, guest)
    # An earlier start initialized attempt 1's reference, then its transaction rolled back.
    taken = f"{alpha.tenant.schema_name}-{booking.pk}-1"
    requests.post(
        f"{fake_paystack.url}/transaction/initialize",
        json={"reference": taken, "amount": 100, "currency": "NGN", "email": guest.email},
        headers={"Authorization": f"Bearer {paystack_keys['secret_key']}"},
        timeout=5,
    )

    response = api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments")

    assert response.status_code == 201, response.json()
    assert response.json()["redirect_url"].startswith("https://checkout.paystack.com/")
    assert response.json()["payment"]["reference"] != taken
    assert response.json()["payment"]["attempt"] == 2
