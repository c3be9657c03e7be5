"""Payments under real concurrency: threads with their own connections and committed
transactions, against the real database and the local fake Stripe."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.tests.factories import member_factory
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking, BookingPolicy, BookingTransition
from tenant_apps.listings.models import Property
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.payments import services
from tenant_apps.payments.constants import PaymentStatus
from tenant_apps.payments.models import Payment, PaymentSettings, Refund, WebhookEvent
from tenant_apps.payments.tests.fakes import stripe_event
from tenant_apps.payments.tests.helpers import book, post_stripe_event, use_stripe
from tests.support.concurrency import in_thread, run_together

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def committed(marketplaces, fake_stripe):
    """Alpha on Stripe, a guest's instant booking awaiting payment, committed for real."""
    alpha = marketplaces["alpha"]

    def make():
        keys = use_stripe(alpha, fake_stripe)
        host = member_factory(alpha.tenant, Role.HOST).user
        guest = member_factory(alpha.tenant).user
        listing = listing_factory(alpha.tenant, host, instant_book=True)
        return keys, guest, book(alpha, listing, guest)

    keys, guest, booking = in_thread(make)
    yield alpha, keys, guest, booking

    def clean():
        with tenant_context(alpha.tenant):
            WebhookEvent.objects.all().delete()
            Refund.objects.filter(payment__booking=booking).delete()
            Payment.objects.filter(booking=booking).delete()
            Booking.objects.filter(pk=booking.pk).delete()
            Property.objects.filter(pk=booking.property_id).delete()
            _back_to_the_default_settings()
        User.objects.filter(pk__in=[guest.pk, booking.property.host_id]).delete()

    in_thread(clean)


def _back_to_the_default_settings() -> None:
    """This module's rows are committed: put the marketplace's one settings and policy rows
    back as its migration made them (offline, default fees) for the tests after it."""
    PaymentSettings.objects.all().delete()
    PaymentSettings.objects.create()
    BookingPolicy.objects.all().delete()
    BookingPolicy.objects.create()


def test_the_same_event_delivered_eight_times_at_once_applies_once(api, committed, fake_stripe):
    alpha, keys, guest, booking = committed
    started = in_thread(
        lambda: api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/payments").json()
    )
    paid = fake_stripe.confirm(keys["secret_key"], started["payment"]["reference"])
    payload = stripe_event("payment_intent.succeeded", paid)

    def deliver():
        client = api(alpha.host)
        client.raise_request_exception = False
        response = post_stripe_event(client, payload, keys["webhook_secret"])
        return response.status_code, response.json().get("outcome")

    answers = run_together([deliver] * 8)

    assert [status for status, _ in answers] == [200] * 8
    outcomes = sorted(outcome for _, outcome in answers)
    assert outcomes.count("payment succeeded") == 1
    assert outcomes.count("duplicate: already processed") == 7
    with tenant_context(alpha.tenant):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
        assert WebhookEvent.objects.count() == 1
        confirmations = BookingTransition.objects.filter(
            booking=booking, to_status=BookingStatus.CONFIRMED
        )
        assert confirmations.count() == 1


def test_a_guest_starting_to_pay_twice_at_once_gets_one_payment(api, committed, fake_stripe):
    alpha, keys, guest, booking = committed

    def start():
        client = api(alpha.host, guest)
        client.raise_request_exception = False
        response = client.post(f"/api/v1/bookings/{booking.pk}/payments")
        return response.status_code, response.json()["payment"]["id"]

    answers = run_together([start] * 4)

    assert [status for status, _ in answers] == [201] * 4
    assert len({payment_id for _, payment_id in answers}) == 1
    assert len(fake_stripe.accounts[keys["secret_key"]]["intents"]) == 1
    with tenant_context(alpha.tenant):
        assert Payment.objects.filter(booking=booking).count() == 1


ROUNDS = 6


@pytest.fixture
def authorized_requests(marketplaces, fake_stripe):
    """Alpha on Stripe, and ROUNDS committed requests to book, each with the guest's card
    authorized at Stripe (a manual-capture intent in requires_capture), no event delivered."""
    alpha = marketplaces["alpha"]

    def make():
        keys = use_stripe(alpha, fake_stripe)
        host = member_factory(alpha.tenant, Role.HOST).user
        guest = member_factory(alpha.tenant).user
        listing = listing_factory(alpha.tenant, host, instant_book=False)
        made = []
        for n in range(ROUNDS):
            booking = book(alpha, listing, guest, start=20 + 3 * n, nights=2)
            with tenant_context(alpha.tenant):
                started = services.payment_start(booking_id=booking.pk, guest=guest)
            intent = fake_stripe.confirm(keys["secret_key"], started.payment.reference)
            made.append((booking, intent))
        return keys, host, guest, listing, made

    keys, host, guest, listing, made = in_thread(make)
    yield alpha, keys, host, made

    def clean():
        with tenant_context(alpha.tenant):
            WebhookEvent.objects.all().delete()
            ids = [booking.pk for booking, _ in made]
            Payment.objects.filter(booking_id__in=ids).delete()
            Booking.objects.filter(pk__in=ids).delete()
            Property.objects.filter(pk=listing.pk).delete()
            _back_to_the_default_settings()
        User.objects.filter(pk__in=[guest.pk, host.pk]).delete()

    in_thread(clean)


def test_a_host_accepting_while_the_authorization_event_arrives_never_deadlocks(
    api, authorized_requests, fake_stripe
):
    alpha, keys, host, made = authorized_requests

    def accept(booking):
        def call():
            client = api(alpha.host, host)
            client.raise_request_exception = False
            response = client.post(f"/api/v1/bookings/{booking.pk}/accept")
            return response.status_code, response.json().get("status")

        return call

    def event(intent):
        payload = stripe_event("payment_intent.amount_capturable_updated", intent)

        def call():
            client = api(alpha.host)
            client.raise_request_exception = False
            response = post_stripe_event(client, payload, keys["webhook_secret"])
            return response.status_code, response.json().get("outcome")

        return call

    answers = [run_together([accept(booking), event(intent)]) for booking, intent in made]

    # No side was aborted by a deadlock (a 500): every accept and every event went through.
    statuses = [(accepted[0], delivered[0]) for accepted, delivered in answers]
    assert statuses == [(200, 200)] * ROUNDS
    for (accepted, delivered), (booking, intent) in zip(answers, made, strict=True):
        assert accepted == (200, BookingStatus.CONFIRMED), accepted
        assert delivered[0] == 200, delivered
        assert fake_stripe.intent(keys["secret_key"], intent["id"])["status"] == "succeeded"
        with tenant_context(alpha.tenant):
            assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
            assert Payment.objects.get(booking=booking).status == PaymentStatus.SUCCEEDED
