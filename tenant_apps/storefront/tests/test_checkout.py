"""Checkout: the quote, signing in inline, booking, and each provider's way to pay; from
two marketplaces."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from csp.utils import build_policy
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.selectors import booking_timeline, bookings_of_guest
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.payments.services import payment_settings_update
from tenant_apps.payments.tests.fakes import FakePaystack, FakeStripe
from tenant_apps.payments.tests.helpers import use_paystack, use_stripe
from tenant_apps.storefront.tests.helpers import browser, signed_in
from tests.support.days import day

pytestmark = pytest.mark.django_db


def checkout_url(listing, start=40, nights=3, guests=2) -> str:
    return (
        f"/checkout/{listing.pk}/?check_in={day(start)}&check_out={day(start + nights)}"
        f"&guests={guests}"
    )


@pytest.fixture
def instant(alpha, host):
    return listing_factory(
        alpha.tenant, host, instant_book=True, nightly_price=Decimal("100"),
        cleaning_fee=Decimal("20"), title="Instant chalet",
    )  # fmt: skip


@pytest.fixture
def on_request(alpha, host):
    return listing_factory(
        alpha.tenant, host, instant_book=False, nightly_price=Decimal("80"),
        title="Request cabin",
    )  # fmt: skip


@pytest.fixture
def offline(alpha):
    with tenant_context(alpha.tenant):
        payment_settings_update(
            provider="offline", offline_instructions="Pay by bank transfer to IBAN CH00 TEST."
        )


@pytest.fixture(scope="module")
def fake_stripe():
    fake = FakeStripe()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def fake_paystack():
    fake = FakePaystack()
    yield fake
    fake.stop()


@pytest.fixture
def providers_are_local(settings, fake_stripe, fake_paystack):
    settings.PAYMENTS_STRIPE_API_BASE = fake_stripe.url
    settings.PAYMENTS_PAYSTACK_API_BASE = fake_paystack.url
    settings.PAYMENTS_NETWORK_RETRIES = 0


def _trips(market, guest):
    with tenant_context(market.tenant):
        return list(bookings_of_guest(guest=guest))


def test_a_visitor_sees_the_price_and_logs_in_or_signs_up_without_leaving(alpha, instant):
    response = browser(alpha).get(checkout_url(instant))
    html = response.content.decode()

    assert response.status_code == 200
    assert "<title>Confirm and pay · Alpha Mountain Stays</title>" in html
    # 3 nights x 100 + 20 cleaning + 14% service fee = 364.80, as the quote service prices it
    assert "$100.00 × 3 nights" in html
    assert "$364.80" in html
    assert 'id="login-heading"' in html
    assert 'id="signup-heading"' in html
    # both forms come back here afterwards
    assert html.count(f'name="next" value="{checkout_url(instant).replace("&", "&amp;")}"') == 2


def test_dates_that_cant_be_booked_say_why(alpha, guest, instant):
    response = signed_in(alpha, guest).get(checkout_url(instant, guests=9))

    assert response.status_code == 200
    assert "This listing sleeps 1 to 4 guests." in response.content.decode()
    assert "Book and pay" not in response.content.decode().split("</h1>", 1)[1].split("<aside")[0]


def test_a_missing_stay_in_the_url_is_a_400_with_the_fields_to_fix(alpha, instant):
    response = browser(alpha).get(f"/checkout/{instant.pk}/?check_in=someday")

    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


def test_a_request_to_book_carries_the_message_and_lands_on_the_trip(
    alpha, guest, on_request, offline
):
    client = signed_in(alpha, guest)

    response = client.post(checkout_url(on_request), {"message": "Two climbers, quiet ones."})

    (booking,) = _trips(alpha, guest)
    assert booking.status == BookingStatus.REQUESTED
    assert response.status_code == 302
    assert response["Location"] == f"/trips/{booking.pk}/"
    with tenant_context(alpha.tenant):
        assert booking_timeline(booking=booking)[0].note == "Two climbers, quiet ones."
    trip = client.get(response["Location"]).content.decode()
    assert "The host has your request." in trip
    assert "Two climbers, quiet ones." in trip


def test_an_instant_booking_on_an_offline_marketplace_shows_how_to_pay(
    alpha, guest, instant, offline
):
    client = signed_in(alpha, guest)

    response = client.post(checkout_url(instant))
    trip = client.get(response["Location"]).content.decode()

    (booking,) = _trips(alpha, guest)
    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert response["Location"] == f"/trips/{booking.pk}/"
    assert "Pay by bank transfer to IBAN CH00 TEST." in trip


def test_booking_taken_dates_is_a_400_with_the_reason_and_nothing_booked(
    alpha, guest, make_member, instant, offline
):
    other = make_member(alpha.tenant, Role.GUEST).user
    signed_in(alpha, other).post(checkout_url(instant))

    response = signed_in(alpha, guest).post(checkout_url(instant))

    assert response.status_code == 400
    assert "These dates are already booked." in response.content.decode()
    assert _trips(alpha, guest) == []


def test_stripe_checkout_mounts_the_payment_element_with_the_marketplaces_keys(
    alpha, guest, instant, fake_stripe, providers_are_local
):
    keys = use_stripe(alpha, fake_stripe)
    client = signed_in(alpha, guest)

    response = client.post(checkout_url(instant))
    html = response.content.decode()

    assert response.status_code == 200
    assert f'data-publishable-key="{keys["publishable_key"]}"' in html
    (intent,) = fake_stripe.accounts[keys["secret_key"]]["intents"].values()
    assert f'data-client-secret="{intent["client_secret"]}"' in html
    (booking,) = _trips(alpha, guest)
    assert f'data-return-url="http://alpha.localhost/trips/{booking.pk}/"' in html
    # Stripe.js only here, allowed by this page's own policy; our code from our own file
    assert '<script src="https://js.stripe.com/v3/" defer></script>' in html
    assert "https://js.stripe.com" in response["Content-Security-Policy"]
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "js.stripe.com" not in client.get(f"/trips/{booking.pk}/").content.decode()
    assert client.get("/trips/")["Content-Security-Policy"] == build_policy()


def test_paystack_checkout_sends_the_guest_to_paystacks_page_and_back_to_the_trip(
    alpha, guest, instant, fake_paystack, providers_are_local
):
    keys = use_paystack(alpha, fake_paystack)
    client = signed_in(alpha, guest)

    response = client.post(checkout_url(instant))

    (booking,) = _trips(alpha, guest)
    (reference,) = fake_paystack.accounts[keys["secret_key"]]["transactions"]
    with tenant_context(alpha.tenant):
        paystack_url = booking.payments.get().redirect_url  # Paystack's authorization_url
    # a page of ours leads there (a POST redirected off-site would break `form-action`)
    assert response.status_code == 200
    assert paystack_url.startswith("https://checkout.paystack.com/")
    html = response.content.decode()
    assert f'<meta http-equiv="refresh" content="0;url={paystack_url}">' in html
    assert f'href="{paystack_url}"' in html
    back = client.get(f"/trips/{booking.pk}/?trxref={reference}&reference={reference}")
    assert back.status_code == 200
    assert "confirming your payment" in back.content.decode()


def test_a_listing_of_another_marketplace_has_no_checkout_here(alpha, bravo, instant):
    assert browser(bravo).get(checkout_url(instant)).status_code == 404
    assert browser(alpha).get(checkout_url(instant)).status_code == 200


def test_a_provider_outage_keeps_the_booking_and_offers_to_pay_again(
    alpha, guest, instant, fake_stripe, providers_are_local
):
    use_stripe(alpha, fake_stripe)
    client = signed_in(alpha, guest)
    fake_stripe.down = True
    try:
        response = client.post(checkout_url(instant))
    finally:
        fake_stripe.down = False
    trip = client.get(response["Location"]).content.decode()
    again = client.post(f"{response['Location']}pay/")

    (booking,) = _trips(alpha, guest)
    assert response["Location"] == f"/trips/{booking.pk}/"
    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert "message--error" in trip
    assert f'action="/trips/{booking.pk}/pay/"' in trip
    assert again.status_code == 200
    assert "data-client-secret=" in again.content.decode()


def test_only_the_guest_pays_for_a_booking(alpha, guest, host, instant, offline):
    signed_in(alpha, guest).post(checkout_url(instant))
    (booking,) = _trips(alpha, guest)

    assert signed_in(alpha, host).post(f"/trips/{booking.pk}/pay/").status_code == 404
    anonymous = browser(alpha).post(f"/trips/{booking.pk}/pay/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")


def test_back_from_the_provider_the_trip_waits_for_its_confirmation_or_offers_a_retry(
    alpha, guest, instant, fake_stripe, providers_are_local
):
    use_stripe(alpha, fake_stripe)
    client = signed_in(alpha, guest)
    client.post(checkout_url(instant))
    (booking,) = _trips(alpha, guest)
    pay_form = f'action="/trips/{booking.pk}/pay/"'

    succeeded = client.get(f"/trips/{booking.pk}/?payment_intent=pi_1&redirect_status=succeeded")
    failed = client.get(f"/trips/{booking.pk}/?payment_intent=pi_1&redirect_status=failed")

    assert "confirming your payment" in succeeded.content.decode()
    assert pay_form not in succeeded.content.decode()  # no second payment while it confirms
    assert "didn&#x27;t go through" in failed.content.decode()
    assert pay_form in failed.content.decode()
