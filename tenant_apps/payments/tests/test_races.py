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
from tenant_apps.payments.models import Payment, PaymentSettings, Refund, WebhookEvent
from tenant_apps.payments.tests.fakes import stripe_event
from tenant_apps.payments.tests.helpers import book, post_stripe_event, use_stripe
from tests.test_concurrency import in_thread, run_together

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
            PaymentSettings.objects.all().delete()  # back to offline, the default
            BookingPolicy.objects.all().delete()  # made on first use: back to the defaults
        User.objects.filter(pk__in=[guest.pk, booking.property.host_id]).delete()

    in_thread(clean)


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
