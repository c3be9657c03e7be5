"""Paying with Stripe, end to end through the real `stripe` library and a local fake: instant
book, request to book (authorize, capture on accept, release on decline and expiry),
cancellation refunds, and what a guest sees when Stripe is down."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.bookings import services as bookings
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.tasks import expire_requests
from tenant_apps.listings.constants import CancellationPolicy
from tenant_apps.payments.constants import PaymentStatus, RefundStatus
from tenant_apps.payments.models import Payment
from tenant_apps.payments.tests.fakes import stripe_event
from tenant_apps.payments.tests.helpers import book, paid_booking, post_stripe_event


def pay_url(booking) -> str:
    return f"/api/v1/bookings/{booking.pk}/payments"


def start(api, alpha, guest, booking):
    response = api(alpha.host, guest).post(pay_url(booking))
    assert response.status_code == 201, response.json()
    return response.json()


def deliver(api, alpha, keys, kind, intent):
    return post_stripe_event(api(alpha.host), stripe_event(kind, intent), keys["webhook_secret"])


def status_of(alpha, booking) -> str:
    with tenant_context(alpha.tenant):
        return Booking.objects.get(pk=booking.pk).status


def test_instant_book_is_confirmed_by_the_success_webhook(
    alpha, api, guest, instant, stripe_keys, fake_stripe
):
    booking = book(alpha, instant, guest)
    assert booking.status == BookingStatus.PENDING_PAYMENT

    body = start(api, alpha, guest, booking)

    assert body["publishable_key"] == stripe_keys["publishable_key"]
    intent_id = body["payment"]["reference"]
    assert body["client_secret"].startswith(f"{intent_id}_secret_")
    intent = fake_stripe.intent(stripe_keys["secret_key"], intent_id)
    assert intent["amount"] == int(booking.total * 100)
    assert intent["capture_method"] == "automatic"
    assert intent["metadata"]["booking"] == str(booking.pk)

    paid = fake_stripe.confirm(stripe_keys["secret_key"], intent_id)
    response = deliver(api, alpha, stripe_keys, "payment_intent.succeeded", paid)

    assert response.status_code == 200
    assert status_of(alpha, booking) == BookingStatus.CONFIRMED
    with tenant_context(alpha.tenant):
        payment = Payment.objects.get(booking=booking)
        assert payment.status == PaymentStatus.SUCCEEDED
        assert payment.amount == booking.total


def test_asking_twice_returns_the_same_payment(
    alpha, api, guest, instant, stripe_keys, fake_stripe
):
    booking = book(alpha, instant, guest)
    first = start(api, alpha, guest, booking)
    second = start(api, alpha, guest, booking)

    assert first["payment"]["id"] == second["payment"]["id"]
    assert first["client_secret"] == second["client_secret"]
    assert len(fake_stripe.accounts[stripe_keys["secret_key"]]["intents"]) == 1


def test_request_to_book_is_authorized_then_captured_when_the_host_accepts(
    alpha, api, guest, host, on_request, stripe_keys, fake_stripe
):
    booking = book(alpha, on_request, guest)
    body = start(api, alpha, guest, booking)
    intent_id = body["payment"]["reference"]
    assert body["payment"]["capture_manually"] is True
    assert fake_stripe.intent(stripe_keys["secret_key"], intent_id)["capture_method"] == "manual"

    held = fake_stripe.confirm(stripe_keys["secret_key"], intent_id)
    deliver(api, alpha, stripe_keys, "payment_intent.amount_capturable_updated", held)
    assert status_of(alpha, booking) == BookingStatus.REQUESTED  # the host hasn't answered

    response = api(alpha.host, host).post(f"/api/v1/bookings/{booking.pk}/accept")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == BookingStatus.CONFIRMED
    assert fake_stripe.intent(stripe_keys["secret_key"], intent_id)["status"] == "succeeded"
    with tenant_context(alpha.tenant):
        assert Payment.objects.get(booking=booking).status == PaymentStatus.SUCCEEDED


def test_accepting_with_nothing_authorized_waits_for_the_guest_to_pay(
    alpha, api, guest, host, on_request, stripe_keys
):
    booking = book(alpha, on_request, guest)

    response = api(alpha.host, host).post(f"/api/v1/bookings/{booking.pk}/accept")

    assert response.json()["status"] == BookingStatus.PENDING_PAYMENT
    body = start(api, alpha, guest, booking)  # now paid at once, not just authorized
    assert body["payment"]["capture_manually"] is False


def _authorized_request(alpha, api, guest, on_request, keys, fake):
    booking = book(alpha, on_request, guest)
    intent_id = start(api, alpha, guest, booking)["payment"]["reference"]
    held = fake.confirm(keys["secret_key"], intent_id)
    deliver(api, alpha, keys, "payment_intent.amount_capturable_updated", held)
    return booking, intent_id


def test_declining_releases_the_authorization(
    alpha, api, guest, host, on_request, stripe_keys, fake_stripe, eager_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    booking, intent_id = _authorized_request(
        alpha, api, guest, on_request, stripe_keys, fake_stripe
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alpha.host, host).post(f"/api/v1/bookings/{booking.pk}/decline")

    assert response.json()["status"] == BookingStatus.DECLINED
    assert fake_stripe.intent(stripe_keys["secret_key"], intent_id)["status"] == "canceled"
    with tenant_context(alpha.tenant):
        assert Payment.objects.get(booking=booking).status == PaymentStatus.CANCELLED
    assert fake_stripe.refunds(stripe_keys["secret_key"]) == []  # nothing was captured


def test_expiry_releases_the_authorization(
    alpha, api, guest, on_request, stripe_keys, fake_stripe, eager_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    booking, intent_id = _authorized_request(
        alpha, api, guest, on_request, stripe_keys, fake_stripe
    )
    with tenant_context(alpha.tenant):
        Booking.objects.filter(pk=booking.pk).update(updated=timezone.now() - timedelta(days=2))
        with django_capture_on_commit_callbacks(execute=True):
            assert expire_requests.apply().get() == 1

    assert status_of(alpha, booking) == BookingStatus.EXPIRED
    assert fake_stripe.intent(stripe_keys["secret_key"], intent_id)["status"] == "canceled"
    with tenant_context(alpha.tenant):
        assert Payment.objects.get(booking=booking).status == PaymentStatus.CANCELLED


def test_accept_during_an_outage_changes_nothing_and_can_be_retried(
    alpha, api, guest, host, on_request, stripe_keys, fake_stripe
):
    booking, intent_id = _authorized_request(
        alpha, api, guest, on_request, stripe_keys, fake_stripe
    )
    fake_stripe.down = True
    response = api(alpha.host, host).post(f"/api/v1/bookings/{booking.pk}/accept")

    assert response.status_code == 503
    assert response.json()["code"] == "provider_unavailable"
    assert int(response["Retry-After"]) > 0
    assert status_of(alpha, booking) == BookingStatus.REQUESTED
    with tenant_context(alpha.tenant):
        assert Payment.objects.get(booking=booking).status == PaymentStatus.REQUIRES_CAPTURE

    fake_stripe.down = False
    retried = api(alpha.host, host).post(f"/api/v1/bookings/{booking.pk}/accept")
    assert retried.json()["status"] == BookingStatus.CONFIRMED


def test_starting_a_payment_during_an_outage_writes_nothing(
    alpha, api, guest, instant, stripe_keys, fake_stripe
):
    booking = book(alpha, instant, guest)
    fake_stripe.down = True

    response = api(alpha.host, guest).post(pay_url(booking))

    assert response.status_code == 503
    assert "try again" in response.json()["message"].lower()
    assert status_of(alpha, booking) == BookingStatus.PENDING_PAYMENT
    with tenant_context(alpha.tenant):
        assert not Payment.objects.filter(booking=booking).exists()


def test_paying_someone_elses_booking_is_a_404(
    alpha, api, guest, instant, stripe_keys, make_member
):
    booking = book(alpha, instant, guest)
    stranger = make_member(alpha.tenant).user

    response = api(alpha.host, stranger).post(pay_url(booking))

    assert response.status_code == 404


def test_paying_a_booking_not_awaiting_payment_is_a_409(
    alpha, api, guest, instant, stripe_keys, fake_stripe
):
    booking = book(alpha, instant, guest)
    intent_id = start(api, alpha, guest, booking)["payment"]["reference"]
    deliver(
        api, alpha, stripe_keys, "payment_intent.succeeded",
        fake_stripe.confirm(stripe_keys["secret_key"], intent_id),
    )  # fmt: skip

    response = api(alpha.host, guest).post(pay_url(booking))

    assert response.status_code == 409
    assert response.json()["code"] == "already_paid"


@pytest.mark.parametrize(
    ("policy", "days_ahead", "share"),
    [
        (CancellationPolicy.FLEXIBLE, 30, Decimal("1")),
        (CancellationPolicy.MODERATE, 3, Decimal("0.5")),
        (CancellationPolicy.STRICT, 3, Decimal("0")),
    ],
)
def test_cancelling_refunds_what_the_policy_allows(
    alpha, api, guest, instant, stripe_keys, fake_stripe, eager_tasks,
    django_capture_on_commit_callbacks, policy, days_ahead, share,
):  # fmt: skip
    with tenant_context(alpha.tenant):
        instant.cancellation_policy = policy
        instant.save(update_fields=["cancellation_policy"])
    booking, intent_id = paid_booking(
        alpha, api, guest, instant, stripe_keys, fake_stripe, start_in=days_ahead
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/cancel")

    assert response.json()["status"] == BookingStatus.CANCELLED
    expected = (booking.total * share).quantize(Decimal("0.01"))
    assert Decimal(response.json()["refund_amount"]) == expected
    refunded = sum(r["amount"] for r in fake_stripe.refunds(stripe_keys["secret_key"]))
    assert refunded == int(expected * 100)
    with tenant_context(alpha.tenant):
        payment = Payment.objects.get(booking=booking)
        assert payment.amount_refunded == expected
        assert (
            payment.status
            == {
                Decimal("1"): PaymentStatus.REFUNDED,
                Decimal("0.5"): PaymentStatus.PARTIALLY_REFUNDED,
                Decimal("0"): PaymentStatus.SUCCEEDED,
            }[share]
        )
        assert all(r.status == RefundStatus.SUCCEEDED for r in payment.refunds.all())


def test_a_refund_task_run_twice_refunds_once(
    alpha, api, guest, instant, stripe_keys, fake_stripe, eager_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from tenant_apps.payments.tasks import settle_booking

    booking, _ = paid_booking(alpha, api, guest, instant, stripe_keys, fake_stripe, start_in=30)
    with django_capture_on_commit_callbacks(execute=True):
        api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/cancel")
    with tenant_context(alpha.tenant):
        assert settle_booking.apply(kwargs={"booking_id": str(booking.pk)}).get() == 0

    assert len(fake_stripe.refunds(stripe_keys["secret_key"])) == 1


def test_a_refund_waits_out_an_outage_then_goes_through(
    alpha, api, guest, instant, stripe_keys, fake_stripe
):
    from tenant_apps.payments import services

    booking, _ = paid_booking(alpha, api, guest, instant, stripe_keys, fake_stripe, start_in=30)
    with tenant_context(alpha.tenant):
        bookings.booking_cancel(booking=booking, actor=guest)
        fake_stripe.down = True
        with pytest.raises(Exception, match="Try again"):
            services.booking_settle(booking_id=booking.pk)  # the task would retry
        fake_stripe.down = False
        assert services.booking_settle(booking_id=booking.pk) == 1

    assert len(fake_stripe.refunds(stripe_keys["secret_key"])) == 1


def test_a_payment_arriving_after_expiry_is_refunded_in_full(
    alpha, api, guest, instant, stripe_keys, fake_stripe, eager_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    booking = book(alpha, instant, guest)
    intent_id = start(api, alpha, guest, booking)["payment"]["reference"]
    with tenant_context(alpha.tenant):
        Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.EXPIRED)
    paid = fake_stripe.confirm(stripe_keys["secret_key"], intent_id)

    with django_capture_on_commit_callbacks(execute=True):
        deliver(api, alpha, stripe_keys, "payment_intent.succeeded", paid)

    assert status_of(alpha, booking) == BookingStatus.EXPIRED
    refunds = fake_stripe.refunds(stripe_keys["secret_key"])
    assert [r["amount"] for r in refunds] == [int(booking.total * 100)]


def test_a_capture_whose_accept_never_committed_still_confirms_the_request(
    alpha, api, guest, on_request, stripe_keys, fake_stripe
):
    booking, intent_id = _authorized_request(
        alpha, api, guest, on_request, stripe_keys, fake_stripe
    )
    # The host's accept captured at Stripe, then its transaction was lost (a crash).
    with tenant_context(alpha.tenant):
        from tenant_apps.payments.selectors import marketplace_gateway

        marketplace_gateway().capture(intent_id, booking.total, booking.currency)

    captured = fake_stripe.intent(stripe_keys["secret_key"], intent_id)
    deliver(api, alpha, stripe_keys, "payment_intent.succeeded", captured)

    assert status_of(alpha, booking) == BookingStatus.CONFIRMED
    with tenant_context(alpha.tenant):
        assert Payment.objects.get(booking=booking).status == PaymentStatus.SUCCEEDED


# --- the provider's word before our rows ----------------------------------------------------------
def test_an_authorization_whose_event_never_came_is_captured_when_the_host_accepts(
    alpha, api, guest, host, on_request, stripe_keys, fake_stripe
):
    booking = book(alpha, on_request, guest)
    intent_id = start(api, alpha, guest, booking)["payment"]["reference"]
    fake_stripe.confirm(stripe_keys["secret_key"], intent_id)  # authorized; no event arrives

    response = api(alpha.host, host).post(f"/api/v1/bookings/{booking.pk}/accept")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == BookingStatus.CONFIRMED
    assert fake_stripe.intent(stripe_keys["secret_key"], intent_id)["status"] == "succeeded"
    with tenant_context(alpha.tenant):
        assert Payment.objects.get(booking=booking).status == PaymentStatus.SUCCEEDED
    # Nothing is left to pay: the guest is not asked to pay (and hold money) a second time.
    again = api(alpha.host, guest).post(pay_url(booking))
    assert again.status_code == 409
    assert again.json()["code"] == "already_paid"


def test_an_authorization_made_after_the_accept_is_captured_not_left_held(
    alpha, api, guest, host, on_request, stripe_keys, fake_stripe
):
    booking = book(alpha, on_request, guest)
    intent_id = start(api, alpha, guest, booking)["payment"]["reference"]
    api(alpha.host, host).post(f"/api/v1/bookings/{booking.pk}/accept")  # nothing authorized
    assert status_of(alpha, booking) == BookingStatus.PENDING_PAYMENT

    # The guest's payment page, still open, authorizes the first (manual-capture) intent.
    held = fake_stripe.confirm(stripe_keys["secret_key"], intent_id)
    response = deliver(api, alpha, stripe_keys, "payment_intent.amount_capturable_updated", held)

    assert response.status_code == 200
    assert status_of(alpha, booking) == BookingStatus.CONFIRMED
    assert fake_stripe.intent(stripe_keys["secret_key"], intent_id)["status"] == "succeeded"


# --- idempotency keys are never reused with other parameters --------------------------------------
def test_the_fake_refuses_a_key_reused_with_other_parameters_as_stripe_does(
    alpha, stripe_keys, fake_stripe
):
    import stripe

    client = stripe.StripeClient(stripe_keys["secret_key"], base_addresses={"api": fake_stripe.url})
    params = {"amount": 1000, "currency": "usd", "capture_method": "manual"}
    first = client.v1.payment_intents.create(params, {"idempotency_key": "k-1"})
    replay = client.v1.payment_intents.create(params, {"idempotency_key": "k-1"})

    with pytest.raises(stripe.IdempotencyError, match="same parameters"):
        client.v1.payment_intents.create(
            {**params, "capture_method": "automatic"}, {"idempotency_key": "k-1"}
        )
    assert replay.id == first.id


def test_paying_after_the_accept_starts_a_new_attempt_and_cancels_the_old_intent(
    alpha, api, guest, host, on_request, stripe_keys, fake_stripe
):
    booking = book(alpha, on_request, guest)
    first = start(api, alpha, guest, booking)["payment"]  # while requested: authorize only
    api(alpha.host, host).post(f"/api/v1/bookings/{booking.pk}/accept")

    response = api(alpha.host, guest).post(pay_url(booking))  # now: charged at once

    assert response.status_code == 201, response.json()
    second = response.json()["payment"]
    assert second["id"] != first["id"]
    assert second["capture_manually"] is False
    new_intent = fake_stripe.intent(stripe_keys["secret_key"], second["reference"])
    assert new_intent["capture_method"] == "automatic"
    assert response.json()["client_secret"] == new_intent["client_secret"]
    assert fake_stripe.intent(stripe_keys["secret_key"], first["reference"])["status"] == (
        "canceled"
    )
    with tenant_context(alpha.tenant):
        old = Payment.objects.get(pk=first["id"])
        assert old.status == PaymentStatus.CANCELLED
        assert old.capture_manually is True

    paid = fake_stripe.confirm(stripe_keys["secret_key"], second["reference"])
    deliver(api, alpha, stripe_keys, "payment_intent.succeeded", paid)
    assert status_of(alpha, booking) == BookingStatus.CONFIRMED


def test_reopening_the_payment_page_returns_the_stored_client_secret_without_a_call(
    alpha, api, guest, instant, stripe_keys, fake_stripe
):
    booking = book(alpha, instant, guest)
    first = start(api, alpha, guest, booking)
    calls = len(fake_stripe.requests)

    second = start(api, alpha, guest, booking)

    assert second["client_secret"] == first["client_secret"] != ""
    assert len(fake_stripe.requests) == calls  # nothing re-sent to Stripe
    assert second["return_url"].endswith(f"/trips/{booking.pk}/")


def test_a_key_used_by_a_rolled_back_start_is_not_sent_again_with_other_parameters(
    alpha, api, guest, instant, stripe_keys, fake_stripe
):
    import stripe

    booking = book(alpha, instant, guest)
    # An earlier start reached Stripe with attempt 1's key, then its transaction rolled back;
    # it asked for a manual capture (the booking was a request then).
    key = f"{alpha.tenant.schema_name}-{booking.pk}-1"
    client = stripe.StripeClient(stripe_keys["secret_key"], base_addresses={"api": fake_stripe.url})
    client.v1.payment_intents.create(
        {"amount": 100, "currency": "usd", "capture_method": "manual"}, {"idempotency_key": key}
    )

    body = start(api, alpha, guest, booking)

    assert body["payment"]["attempt"] == 2
    intent = fake_stripe.intent(stripe_keys["secret_key"], body["payment"]["reference"])
    assert intent["capture_method"] == "automatic"
    assert intent["amount"] == int(booking.total * 100)


def test_choosing_an_offline_method_on_a_card_marketplace_is_a_400(
    alpha, api, guest, instant, stripe_keys
):
    booking = book(alpha, instant, guest)

    response = api(alpha.host, guest).post(pay_url(booking), {"method": "cash"}, format="json")

    assert response.status_code == 400
    assert "method" in response.json()["fields"]
    with tenant_context(alpha.tenant):
        assert not Payment.objects.filter(booking=booking).exists()
