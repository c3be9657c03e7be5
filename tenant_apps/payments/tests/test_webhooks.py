"""Webhooks: verified with the marketplace's own secret, stored once, applied idempotently,
never moving a payment backwards; bad, stale and foreign signatures change nothing."""

import time

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking, BookingTransition
from tenant_apps.payments.constants import PaymentStatus, RefundStatus
from tenant_apps.payments.models import Payment, WebhookEvent
from tenant_apps.payments.tests.fakes import stripe_event, stripe_signature
from tenant_apps.payments.tests.helpers import book, post_stripe_event, use_stripe

WEBHOOK = "/api/v1/payments/webhooks/stripe"


@pytest.fixture
def paid_intent(alpha, api, guest, instant, stripe_keys, fake_stripe):
    """A booking whose card Stripe has charged; the success event not yet delivered."""
    booking = book(alpha, instant, guest)
    body = api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments").json()
    intent = fake_stripe.confirm(stripe_keys["secret_key"], body["payment"]["reference"])
    return booking, intent


def _state(market, booking):
    with tenant_context(market.tenant):
        return (
            Booking.objects.get(pk=booking.pk).status,
            Payment.objects.get(booking=booking).status,
            BookingTransition.objects.filter(booking=booking).count(),
            WebhookEvent.objects.count(),
        )


def test_an_event_replayed_ten_times_changes_state_once(alpha, api, stripe_keys, paid_intent):
    booking, intent = paid_intent
    payload = stripe_event("payment_intent.succeeded", intent)
    before = _state(alpha, booking)

    answers = [
        post_stripe_event(api(alpha.host), payload, stripe_keys["webhook_secret"])
        for _ in range(10)
    ]

    assert [a.status_code for a in answers] == [200] * 10
    assert answers[0].json()["outcome"] == "payment succeeded"
    assert {a.json()["outcome"] for a in answers[1:]} == {"duplicate: already processed"}
    status, payment_status, transitions, events = _state(alpha, booking)
    assert (status, payment_status) == (BookingStatus.CONFIRMED, PaymentStatus.SUCCEEDED)
    assert transitions == before[2] + 1  # one move: pending payment -> confirmed
    assert events == before[3] + 1


def test_an_event_signed_with_another_marketplaces_secret_is_refused(
    alpha, bravo, api, fake_stripe, paid_intent
):
    booking, intent = paid_intent
    bravo_keys = use_stripe(bravo, fake_stripe)
    payload = stripe_event("payment_intent.succeeded", intent)
    before = _state(alpha, booking)

    # Signed with bravo's secret, sent to alpha: alpha checks it with its own secret.
    response = post_stripe_event(api(alpha.host), payload, bravo_keys["webhook_secret"])

    assert response.status_code == 400
    assert response.json()["code"] == "bad_signature"
    assert _state(alpha, booking) == before


def test_alphas_event_sent_to_bravo_is_refused_there(
    alpha, bravo, api, fake_stripe, stripe_keys, paid_intent
):
    booking, intent = paid_intent
    use_stripe(bravo, fake_stripe)
    payload = stripe_event("payment_intent.succeeded", intent)

    response = post_stripe_event(api(bravo.host), payload, stripe_keys["webhook_secret"])

    assert response.status_code == 400
    with tenant_context(bravo.tenant):
        assert not WebhookEvent.objects.exists()
    assert _state(alpha, booking)[0] == BookingStatus.PENDING_PAYMENT


@pytest.mark.parametrize(
    "signature",
    [
        None,  # unsigned
        "t=123,v1=deadbeef",  # wrong
        "garbage",  # not a signature header at all
    ],
)
def test_unsigned_or_wrongly_signed_events_are_a_400(alpha, api, paid_intent, signature):
    booking, intent = paid_intent
    before = _state(alpha, booking)
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature else {}

    response = api(alpha.host).post(
        WEBHOOK, data=stripe_event("payment_intent.succeeded", intent),
        content_type="application/json", **headers,
    )  # fmt: skip

    assert response.status_code == 400
    assert "Stripe-Signature" in response.json()["message"]
    assert _state(alpha, booking) == before


def test_a_stale_event_is_refused(alpha, api, stripe_keys, paid_intent):
    booking, intent = paid_intent
    before = _state(alpha, booking)

    response = post_stripe_event(
        api(alpha.host), stripe_event("payment_intent.succeeded", intent),
        stripe_keys["webhook_secret"], timestamp=int(time.time()) - 600,
    )  # fmt: skip

    assert response.status_code == 400
    assert _state(alpha, booking) == before


def test_a_body_changed_after_signing_is_refused(alpha, api, stripe_keys, paid_intent):
    booking, intent = paid_intent
    payload = stripe_event("payment_intent.succeeded", intent)
    signature = stripe_signature(payload, stripe_keys["webhook_secret"])

    response = api(alpha.host).post(
        WEBHOOK, data=payload.replace(b"succeeded", b"canceled"),
        content_type="application/json", HTTP_STRIPE_SIGNATURE=signature,
    )  # fmt: skip

    assert response.status_code == 400


def test_an_older_event_arriving_late_never_moves_a_payment_back(
    alpha, api, stripe_keys, paid_intent
):
    booking, intent = paid_intent
    secret = stripe_keys["webhook_secret"]
    post_stripe_event(api(alpha.host), stripe_event("payment_intent.succeeded", intent), secret)

    late = {**intent, "status": "requires_payment_method",
            "last_payment_error": {"message": "Your card was declined."}}  # fmt: skip
    response = post_stripe_event(
        api(alpha.host), stripe_event("payment_intent.payment_failed", late), secret
    )

    assert response.status_code == 200
    assert response.json()["outcome"].startswith("ignored")
    assert _state(alpha, booking)[:2] == (BookingStatus.CONFIRMED, PaymentStatus.SUCCEEDED)


def test_a_failed_card_is_recorded_and_the_guest_may_retry(
    alpha, api, guest, stripe_keys, fake_stripe, paid_intent
):
    booking, intent = paid_intent
    failed = fake_stripe.confirm(stripe_keys["secret_key"], intent["id"], decline=True)
    post_stripe_event(
        api(alpha.host), stripe_event("payment_intent.payment_failed", failed),
        stripe_keys["webhook_secret"],
    )  # fmt: skip
    with tenant_context(alpha.tenant):
        payment = Payment.objects.get(booking=booking)
        assert payment.status == PaymentStatus.FAILED
        assert payment.failure_message == "Your card was declined."

    again = api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments")

    assert again.status_code == 201
    assert again.json()["payment"]["id"] == str(payment.pk)  # the same payment, retried


def test_a_refund_made_in_the_dashboard_is_recorded(alpha, api, stripe_keys, paid_intent):
    booking, intent = paid_intent
    secret = stripe_keys["webhook_secret"]
    post_stripe_event(api(alpha.host), stripe_event("payment_intent.succeeded", intent), secret)
    refund = {"id": "re_dashboard1", "object": "refund", "amount": 5000, "currency": "usd",
              "payment_intent": intent["id"], "status": "succeeded", "metadata": {}}  # fmt: skip

    for _ in range(3):
        response = post_stripe_event(
            api(alpha.host), stripe_event("refund.created", refund, "evt_refund1"), secret
        )
        assert response.status_code == 200

    with tenant_context(alpha.tenant):
        payment = Payment.objects.get(booking=booking)
        assert str(payment.amount_refunded) == "50.00"
        assert payment.status == PaymentStatus.PARTIALLY_REFUNDED
        assert [r.status for r in payment.refunds.all()] == [RefundStatus.SUCCEEDED]


def test_events_we_dont_act_on_are_acknowledged(alpha, api, stripe_keys):
    response = post_stripe_event(
        api(alpha.host), stripe_event("customer.created", {"id": "cus_1"}),
        stripe_keys["webhook_secret"],
    )  # fmt: skip

    assert response.status_code == 200
    assert response.json()["outcome"].startswith("ignored")


def test_a_marketplace_not_on_stripe_refuses_stripe_events(bravo, api):
    response = api(bravo.host).post(WEBHOOK, data=b"{}", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "wrong_provider"


def test_an_unknown_provider_is_a_404(alpha, api):
    response = api(alpha.host).post(
        "/api/v1/payments/webhooks/paypal", data=b"{}", content_type="application/json"
    )

    assert response.status_code == 404
