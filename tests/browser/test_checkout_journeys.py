"""A guest's journeys through checkout, trips and account pages, in Chromium, on both demo
marketplaces: book and pay offline, cancel with the refund previewed, review a completed
stay; Stripe up to the Payment Element (Stripe.js stubbed) and back; Paystack's page and back.
Every page type is checked with axe-core and photographed for both brands."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.selectors import bookings_of_guest
from tenant_apps.bookings.services import stay_quote
from tenant_apps.bookings.tests.factories import stay_factory
from tenant_apps.listings.models import Property
from tenant_apps.listings.selectors import visible_properties
from tenant_apps.payments.services import payment_mark_paid, payment_settings_update
from tenant_apps.payments.tests.fakes import FakePaystack, FakeStripe
from tenant_apps.storefront.demo import DEMO_PASSWORD, SHARED_GUEST_EMAIL
from tenant_apps.storefront.templatetags.storefront import money
from tests.browser.conftest import assert_accessible, screenshot
from tests.support.concurrency import committed
from tests.support.days import day

# What the stub of Stripe.js records: the key it was made with, the client secret the
# Elements group got, what was mounted where; confirming "succeeds" by going to return_url.
STRIPE_JS_STUB = """
window.stripeStub = { calls: [] };
window.Stripe = function (publishableKey) {
  window.stripeStub.calls.push({ publishableKey: publishableKey });
  return {
    elements: function (options) {
      window.stripeStub.calls.push({ clientSecret: options.clientSecret });
      return { create: function (kind) { return { mount: function (selector) {
        window.stripeStub.calls.push({ mounted: kind, into: selector });
        document.querySelector(selector).setAttribute("data-stub-mounted", kind);
      } }; } };
    },
    confirmPayment: function (args) {
      var back = args.confirmParams.return_url;
      window.location.assign(back + "?payment_intent=pi_stub&redirect_status=succeeded");
      return new Promise(function () {});
    }
  };
};
"""


# An instant-book listing of each demo marketplace.
INSTANT = {"alpine": "Engadin loft", "coastal": "Cannery Row"}


def _listing(store, title_start: str) -> Property:
    with tenant_context(store.tenant):
        return visible_properties(user=None).get(title__startswith=title_start)


def _checkout(store, listing, start: int, nights: int = 2, guests: int = 2) -> str:
    return store.url(
        f"/checkout/{listing.pk}/?check_in={day(start)}&check_out={day(start + nights)}"
        f"&guests={guests}"
    )


def _quoted_total(store, listing, start: int, nights: int, guests: int):
    """The total the quote service gives (the page must show the same)."""
    with tenant_context(store.tenant):
        quote = stay_quote(
            property=listing, guest=None, check_in=day(start),
            check_out=day(start + nights), guests=guests,
        )  # fmt: skip
    return quote["price"]["total"]


def _log_in(page, store, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(store.url("/login/"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(store.url("/"))


def _provider(store, provider: str, **keys) -> None:
    def switch():
        with tenant_context(store.tenant):
            payment_settings_update(provider=provider, **keys)

    committed(switch)


@pytest.fixture
def offline_again(demo):
    """Tests that switch a demo marketplace's provider put it back (offline) afterwards."""
    yield
    for store in demo.values():
        _provider(store, "offline")


def _trip_id(page) -> str:
    return re.search(r"/trips/([0-9a-f-]{36})/", page.url).group(1)


def test_a_guest_searches_signs_up_at_checkout_books_pays_offline_cancels_and_reviews(page, demo):
    alpine = demo["alpine"]
    loft = _listing(alpine, "Engadin loft")  # instant book, flexible policy
    check_in, check_out = day(120), day(123)

    # search, open the listing, price the dates, book
    page.goto(alpine.url("/"))
    page.get_by_label("Where").fill("St. Moritz")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=loft.title).click()
    page.locator("#q-check-in").fill(check_in.isoformat())
    page.locator("#q-check-out").fill(check_out.isoformat())
    page.locator("#q-guests").fill("2")
    page.get_by_role("button", name="Check price").click()
    page.locator("#quote").get_by_role("link", name="Book").click()
    page.wait_for_url(re.compile(r"/checkout/"))

    # checkout: the price, and signing up inline
    assert page.get_by_role("heading", name="Confirm and pay").is_visible()
    signup = page.locator("form", has=page.get_by_role("heading", name="I'm new here"))
    signup.get_by_label("First name").fill("Journey")
    signup.get_by_label("Email").fill("journey@example.test")
    signup.get_by_label("Password").fill("summit-sunrise-lake-2026")
    signup.get_by_role("button", name="Sign up").click()
    total = page.locator(".breakdown tfoot td").inner_text()
    expected = _quoted_total(alpine, loft, start=120, nights=3, guests=2)
    assert total == money(expected, "CHF")

    # book: an offline marketplace says how to pay
    page.get_by_role("button", name="Book and pay").click()
    page.wait_for_url(re.compile(r"/trips/[0-9a-f-]{36}/$"))
    trip_id = _trip_id(page)
    assert page.get_by_text("IBAN DE00 DEMO").is_visible()
    assert page.locator(".trip-status .badge").inner_text() == "Pending payment"

    # the marketplace's admin marks it paid (through the service, as its page would)
    def mark_paid():
        with tenant_context(alpine.tenant):
            payment_mark_paid(booking_id=trip_id, method="bank_transfer")

    committed(mark_paid)
    page.reload()
    assert page.locator(".trip-status .badge").inner_text() == "Confirmed"

    # cancel: the refund first, then the cancellation
    page.get_by_role("link", name="Cancel this trip").click()
    assert page.locator(".refund-preview__amount").inner_text() == total  # flexible: all
    page.get_by_role("button", name="Yes, cancel this trip").click()
    assert page.locator(".trip-status .badge").inner_text() == "Cancelled"
    assert page.get_by_text(f"Refund due on cancellation: {total}.").is_visible()

    # a completed stay of this guest gets the review form
    def completed_stay():
        from shared_apps.accounts.selectors import user_by_email

        guest = user_by_email(email="journey@example.test")
        return stay_factory(alpine.tenant, guest, _listing(alpine, "Lakeside cabin"))

    stay = committed(completed_stay)
    page.goto(alpine.url(f"/trips/{stay.pk}/"))
    page.get_by_label("Overall").select_option("4")
    page.get_by_label("Your review").fill("Woke up to the lake every morning. Lovely.")
    page.get_by_role("button", name="Post review").click()
    assert page.get_by_text("Thank you for your review.").is_visible()
    assert page.get_by_text("Woke up to the lake every morning. Lovely.").is_visible()

    page.goto(alpine.url("/trips/"))
    cancelled = page.locator("section", has=page.get_by_role("heading", name="Cancelled"))
    assert cancelled.get_by_role("link", name=loft.title).is_visible()


def test_stripe_checkout_mounts_the_payment_element_with_the_marketplaces_keys(
    page, demo, settings, offline_again
):
    alpine = demo["alpine"]
    fake = FakeStripe()
    settings.PAYMENTS_STRIPE_API_BASE = fake.url
    settings.PAYMENTS_NETWORK_RETRIES = 0
    try:
        keys = fake.open_account()
        _provider(alpine, "stripe", **keys)
        page.route(
            "https://js.stripe.com/**",
            lambda route: route.fulfill(
                status=200, content_type="application/javascript", body=STRIPE_JS_STUB
            ),
        )
        studio = _listing(alpine, "Cosy studio")  # instant book
        _log_in(page, alpine, SHARED_GUEST_EMAIL)

        page.goto(_checkout(alpine, studio, start=130))
        page.get_by_role("button", name="Book and pay").click()
        page.wait_for_selector("#payment-element[data-stub-mounted=payment]")

        calls = page.evaluate("window.stripeStub.calls")
        (intent,) = fake.accounts[keys["secret_key"]]["intents"].values()
        assert calls[0] == {"publishableKey": keys["publishable_key"]}
        assert calls[1] == {"clientSecret": intent["client_secret"]}
        assert calls[2] == {"mounted": "payment", "into": "#payment-element"}
        assert_accessible(page, label="alpine stripe payment")
        screenshot(page, alpine, "checkout-stripe")

        page.get_by_role("button", name=re.compile(r"^Pay ")).click()
        page.wait_for_url(re.compile(r"/trips/[0-9a-f-]{36}/\?payment_intent=pi_stub"))
        assert page.get_by_text("We're confirming your payment").is_visible()
    finally:
        fake.stop()


class RecordingPaystack(FakePaystack):
    """The local Paystack, also keeping the callback_url each transaction was started with
    (Paystack sends the guest there after paying)."""

    def __init__(self) -> None:
        super().__init__()
        self.callbacks: dict[str, str] = {}
        self.references: dict[str, str] = {}  # access code -> transaction reference

    def answer(self, method, path, params, key, headers):
        status, body = super().answer(method, path, params, key, headers)
        if path == "/transaction/initialize" and status == 200:
            self.callbacks[params["reference"]] = params.get("callback_url", "")
            self.references[body["data"]["access_code"]] = params["reference"]
        return status, body


def test_paystack_checkout_goes_to_paystacks_page_and_back_to_the_trip(
    page, demo, settings, storefront_server, offline_again
):
    coastal = demo["coastal"]  # Paystack takes its USD, not alpine's CHF
    fake = RecordingPaystack()
    settings.PAYMENTS_PAYSTACK_API_BASE = fake.url
    settings.PAYMENTS_NETWORK_RETRIES = 0
    # Links the platform builds (callback URLs) point at this live server's port.
    settings.MARKETPLACE_URL_TEMPLATE = f"http://{{domain}}:{storefront_server.port}"
    try:
        keys = fake.open_account()
        _provider(coastal, "paystack", **keys)
        studio = _listing(coastal, "Cannery Row")  # instant book
        _log_in(page, coastal, SHARED_GUEST_EMAIL)
        visited = []

        def paystack_page(route):
            reference = fake.references[urlparse(route.request.url).path.strip("/")]
            visited.append(reference)
            fake.pay(keys["secret_key"], reference)  # the guest pays on Paystack's page
            back = f"{fake.callbacks[reference]}?trxref={reference}&reference={reference}"
            route.fulfill(status=302, headers={"Location": back})

        page.route("https://checkout.paystack.com/**", paystack_page)
        page.goto(_checkout(coastal, studio, start=140))
        page.get_by_role("button", name="Book and pay").click()
        page.wait_for_url(re.compile(r"/trips/[0-9a-f-]{36}/\?trxref="))

        assert len(visited) == 1
        assert page.get_by_text("We're confirming your payment").is_visible()
        assert page.get_by_role("heading", name=studio.title).is_visible()
    finally:
        fake.stop()


def test_a_session_on_one_marketplace_is_not_one_on_the_other(page, demo):
    alpine, coastal = demo["alpine"], demo["coastal"]
    _log_in(page, alpine, SHARED_GUEST_EMAIL)

    page.goto(alpine.url("/trips/"))
    assert page.get_by_role("heading", name="Your trips").is_visible()
    page.goto(coastal.url("/trips/"))
    assert urlparse(page.url).path == "/login/"
    assert page.get_by_role("heading", name="Log in to Coastal Cabins").is_visible()


@pytest.mark.parametrize("slug", ["alpine", "coastal"])
def test_every_checkout_trips_and_account_page_is_accessible_under_each_brand(page, demo, slug):
    store = demo[slug]
    first = _listing(store, INSTANT[slug])
    for path, name in [
        ("/signup/", "signup"),
        ("/login/", "login"),
        ("/password-reset/", "password-reset"),
        ("/accounts/set-password/bad/link/", "password-set-expired"),
    ]:
        page.goto(store.url(path))
        assert_accessible(page, label=f"{slug} {name}")
        screenshot(page, store, name)

    page.goto(_checkout(store, first, start=160))
    assert_accessible(page, label=f"{slug} checkout (signed out)")
    screenshot(page, store, "checkout-signed-out")

    _log_in(page, store, SHARED_GUEST_EMAIL)
    with tenant_context(store.tenant):
        from shared_apps.accounts.selectors import user_by_email

        trips = {
            b.status: b for b in bookings_of_guest(guest=user_by_email(email=SHARED_GUEST_EMAIL))
        }
    pages = [
        (_checkout(store, first, start=160), "checkout"),
        (store.url("/trips/"), "trips"),
        (store.url(f"/trips/{trips['confirmed'].pk}/"), "trip-upcoming"),
        (store.url(f"/trips/{trips['completed'].pk}/"), "trip-past"),
        (store.url(f"/trips/{trips['cancelled'].pk}/"), "trip-cancelled"),
        (store.url(f"/trips/{trips['confirmed'].pk}/cancel/"), "trip-cancel-preview"),
        (store.url("/account/"), "account"),
        (store.url("/account/password/"), "password-change"),
    ]
    for url, name in pages:
        page.goto(url)
        assert_accessible(page, label=f"{slug} {name}")
        screenshot(page, store, name)
    with tenant_context(store.tenant):
        assert Booking.objects.get(pk=trips["confirmed"].pk).status == "confirmed"


def test_a_trip_of_someone_else_is_the_branded_not_found(page, demo):
    alpine = demo["alpine"]
    with tenant_context(alpine.tenant):
        from shared_apps.accounts.selectors import user_by_email

        trip = bookings_of_guest(guest=user_by_email(email=SHARED_GUEST_EMAIL)).first()
    _log_in(page, alpine, "admin@alpine.demo.test")

    response = page.goto(alpine.url(f"/trips/{trip.pk}/"))

    assert response.status == 404
    assert trip.property.title not in page.content()
