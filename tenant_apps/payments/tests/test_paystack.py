"""Paying with Paystack against a local fake of its HTTP API: pay on the hosted page, the
HMAC-SHA512-signed charge.success event confirms; a declined request is refunded in full."""

import pytest
from django_tenants.utils import tenant_context

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

    # Paystack tells us when the money is back, through a signed event.
    processed = {**refund, "status": "processed"}
    response = post_paystack_event(
        api(alpha.host), paystack_event("refund.processed", processed),
        paystack_keys["secret_key"],
    )  # fmt: skip

    assert response.status_code == 200
    with tenant_context(alpha.tenant):
        payment = Payment.objects.get(booking=booking)
        assert payment.status == PaymentStatus.REFUNDED
        assert payment.amount_refunded == booking.total


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
