"""Hosts and marketplace admins in Chromium, on the demo marketplaces: a host's whole
journey from becoming a host to the payout, an admin's rebranding seen at once by guests,
roles changed and changed back, payment keys that are never shown again, and a screenshot
of every host and admin page for both marketplaces."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context
from PIL import Image
from playwright.sync_api import expect

from tenant_apps.storefront.templatetags.storefront import money
from tests.browser.conftest import assert_accessible, computed_style, screenshot
from tests.support.concurrency import committed

PASSWORD = "demo-stays-2026!"  # tenant_apps.storefront.demo.DEMO_PASSWORD


def log_in(page, store, email: str, password: str = PASSWORD) -> None:
    page.goto(store.url("/login/"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url, page.content()[:500]


def png(name: str, color: tuple[int, int, int]) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(buffer, format="PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}


def check(page, store, name: str) -> None:
    assert_accessible(page, label=f"{store.slug} {name}")
    screenshot(page, store, name)


# --- a host's journey ------------------------------------------------------------------------


def _new_member(store, email: str):
    from shared_apps.accounts.constants import Role
    from shared_apps.accounts.services import membership_grant, user_create

    def make():
        user = user_create(email=email, password=PASSWORD, first_name="Nora")
        membership_grant(user=user, tenant=store.tenant, role=Role.GUEST)
        return user

    return committed(make)


def _guest_requests(store, title: str, check_in):
    from shared_apps.accounts.selectors import user_by_email
    from tenant_apps.bookings.services import booking_create
    from tenant_apps.listings.models import Property
    from tenant_apps.storefront.demo import SHARED_GUEST_EMAIL

    def request():
        with tenant_context(store.tenant):
            prop = Property.objects.get(title=title)
            return booking_create(
                property_id=prop.pk, guest=user_by_email(email=SHARED_GUEST_EMAIL),
                check_in=check_in, check_out=check_in + timedelta(days=3), guests=2,
            )  # fmt: skip

    return committed(request)


def _stay_is_paid_and_ends(store, booking_id) -> None:
    from tenant_apps.bookings.models import Booking
    from tenant_apps.bookings.services import booking_complete
    from tenant_apps.payments.services import payment_mark_paid

    def finish():
        with tenant_context(store.tenant):
            payment_mark_paid(booking_id=booking_id, method="cash")
            booking_complete(booking=Booking.objects.get(pk=booking_id))

    committed(finish)


def test_a_host_lists_a_place_with_photos_and_is_paid_after_the_stay(page, demo):
    alpine = demo["alpine"]
    email = f"nora-{uuid.uuid4().hex[:8]}@example.test"
    title = f"Saas-Fee hut {uuid.uuid4().hex[:4]}"
    _new_member(alpine, email)
    log_in(page, alpine, email)

    # Becoming a host
    page.get_by_role("link", name="Become a host").click()
    check(page, alpine, "host-become")
    page.get_by_role("button", name="Become a host").click()
    assert page.get_by_role("heading", name="New listing").is_visible()
    check(page, alpine, "host-listing-new")

    # The listing's details, saved as a draft
    page.get_by_label("Title").fill(title)
    page.get_by_label("Type of place").select_option("cabin")
    page.get_by_label("Street and number").fill("3 Obere Gasse")
    page.get_by_label("City").fill("Saas-Fee")
    page.get_by_label("Country code").fill("CH")
    page.get_by_label("Price per night").fill("180")
    page.get_by_label("House rules").fill("Shoes off inside.")
    page.get_by_label("Wi-Fi").check()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("load")  # photo-upload.js (deferred) is listening from here on
    assert page.get_by_text("Before guests can see it, add:").is_visible()

    # A picture over the limit is refused before anything is sent
    upload = page.get_by_label("Add photos")
    big = {"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": b"\xff" * (10 * 2**20 + 1)}
    upload.set_input_files([big])
    page.get_by_role("button", name="Upload photos").click()
    assert page.get_by_text("Not sent: huge.jpg is larger than 10 MB").is_visible()

    # Three photos: thumbnails at once, then uploaded with progress
    upload.set_input_files(
        [
            png("one.png", (200, 40, 40)),
            png("two.png", (40, 200, 40)),
            png("three.png", (40, 40, 200)),
        ]
    )
    assert page.locator("[data-photo-previews] img").count() == 3
    page.get_by_role("button", name="Upload photos").click()
    page.get_by_text("3 photos added.").wait_for()
    assert page.locator("#photos .photo-grid img").count() == 3
    first_src = page.get_by_role("img", name="Photo 1").get_attribute("src")
    third_src = page.get_by_role("img", name="Photo 3").get_attribute("src")

    # Reorder (the third becomes the cover) and delete one
    page.get_by_role("button", name="Move photo 3 earlier").click()
    page.get_by_role("button", name="Move photo 2 earlier").click()
    assert page.get_by_role("img", name="Photo 1").get_attribute("src") == third_src
    page.get_by_role("button", name="Delete photo 2").click()
    assert page.locator("#photos .photo-grid img").count() == 2
    assert first_src not in page.content()
    check(page, alpine, "host-listing")

    # Publish
    page.get_by_role("button", name="Publish").click()
    assert page.get_by_text("Published: guests can find and book it now.").is_visible()

    # Block dates on the calendar
    page.get_by_role("link", name="Calendar and blocked dates").click()
    start = alpine_today(alpine) + timedelta(days=45)
    page.get_by_label("First night").fill(start.isoformat())
    page.get_by_label("Until (check-out day)").fill((start + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Block these dates").click()
    assert page.get_by_text("Dates blocked.").is_visible()
    assert page.locator(".day--blocked").count() == 2
    check(page, alpine, "host-calendar")

    # A guest's request arrives; the host sees it with its expiry and accepts it
    booking = _guest_requests(alpine, title, alpine_today(alpine) + timedelta(days=12))
    page.get_by_role("link", name="Requests and stays").click()
    request = page.locator(".request", has_text=title)
    assert request.get_by_text("Answer by").is_visible()
    assert request.get_by_role("heading", name=f"Gabriel · {title}").is_visible()
    check(page, alpine, "host-reservations")
    request.get_by_role("button", name="Accept").click()
    assert page.get_by_text("Accepted:").is_visible()
    assert page.locator(".request", has_text=title).count() == 0

    # After the stay: the payout
    _stay_is_paid_and_ends(alpine, booking.pk)
    page.get_by_role("link", name="Payouts").click()
    row = page.locator("tr", has_text=title)
    expected = booking.subtotal + booking.cleaning_fee - booking.host_fee
    assert row.get_by_text(money(expected, booking.currency)).is_visible()
    check(page, alpine, "host-payouts")

    # Leave the demo's guest pages as they were: unlist the test's listing.
    page.get_by_role("link", name="Listings").click()
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name="Unlist").click()
    assert page.get_by_text("Unlisted").first.is_visible()


def alpine_today(store):
    from shared_apps.core.tenancy import marketplace_today

    with tenant_context(store.tenant):
        return marketplace_today()


# --- an admin --------------------------------------------------------------------------------


def _restore_branding(store, **fields) -> None:
    from shared_apps.tenants.services import tenant_update

    committed(lambda: tenant_update(tenant=store.tenant, data=fields))


def test_an_admin_rebrands_and_guests_see_it_at_once_readable_in_any_colours(page, demo):
    alpine = demo["alpine"]
    before = {
        "display_name": alpine.tenant.display_name, "logo_url": alpine.tenant.logo_url,
        "primary_color": alpine.tenant.primary_color, "accent_color": alpine.tenant.accent_color,
    }  # fmt: skip
    log_in(page, alpine, "admin@alpine.demo.test")
    try:
        page.get_by_role("link", name="Manage").click()
        page.wait_for_load_state("load")  # htmx listens from DOMContentLoaded on
        page.get_by_label("Marketplace name").fill("Alpine Huts")
        # The preview follows the colours as they are picked (htmx), before saving.
        page.get_by_label("Primary colour").fill("#fef08a")
        page.get_by_label("Accent colour").fill("#0a0a0a")
        # (htmx waits 300 ms after the last change; a loaded machine takes longer still)
        expect(page.locator(".preview-site__header")).to_have_css(
            "background-color", "rgb(254, 240, 138)", timeout=20_000
        )
        page.get_by_label("Logo:", exact=True).set_input_files([png("logo.png", (250, 200, 20))])
        check(page, alpine, "manage-branding")
        page.get_by_role("button", name="Save branding").click()
        assert page.get_by_text("Branding saved. Guests see it now.").is_visible()

        page.goto(alpine.url("/"))
        assert page.locator(".brand__name").inner_text() == "Alpine Huts"
        assert page.title().endswith("· Alpine Huts")
        assert computed_style(page, ".site-header", "background-color") == "rgb(254, 240, 138)"
        assert (
            page.locator(".brand__logo").get_attribute("src").startswith("/media/tenants/alpine/")
        )
        # Pale yellow and near-black: axe's colour-contrast rule passes on guest and admin pages.
        assert_accessible(page, label="home in pale yellow and near-black")
        page.goto(alpine.url("/manage/members/"))
        assert_accessible(page, label="members in pale yellow and near-black")
    finally:
        _restore_branding(alpine, **before)


def _role_of(page, email: str) -> str:
    return page.locator("tr", has_text=email).locator(".status").inner_text()


def test_an_admin_promotes_a_member_to_admin_and_demotes_them(page, demo):
    alpine = demo["alpine"]
    member = "mia@alpine.demo.test"
    log_in(page, alpine, "admin@alpine.demo.test")
    page.goto(alpine.url("/manage/members/"))
    assert _role_of(page, member) == "Guest"
    check(page, alpine, "manage-members")

    page.get_by_role("button", name=f"Make admin {member}").click()
    assert page.get_by_text(f"{member} is now admin.").is_visible()
    assert _role_of(page, member) == "Admin"

    page.get_by_role("button", name=f"Demote to host {member}").click()
    assert _role_of(page, member) == "Host"
    page.get_by_role("button", name=f"Make guest {member}").click()
    assert _role_of(page, member) == "Guest"


def _offline_again(store) -> None:
    from tenant_apps.payments.services import payment_settings_update

    def reset():
        with tenant_context(store.tenant):
            payment_settings_update(provider="offline")

    committed(reset)


def test_an_admin_sets_payment_keys_and_never_sees_a_secret_again(page, demo):
    coastal = demo["coastal"]
    secret = "sk_test_" + "S3cr3tKeyValue" * 2
    webhook = "whsec_" + "W3bh00kSecretValue" * 2
    log_in(page, coastal, "admin@coastal.demo.test")
    page.goto(coastal.url("/manage/payments/"))
    try:
        page.get_by_label("Provider").select_option("stripe")
        page.get_by_label("Publishable (public) key").fill("pk_test_" + "Publ1shable" * 2)
        page.get_by_label("Secret key").fill(secret)
        page.get_by_label("Webhook signing secret").fill(webhook)
        page.get_by_role("button", name="Save payment settings").click()
        assert page.get_by_text("Payment settings saved.").is_visible()

        for _ in range(2):  # after saving, and on a fresh visit
            html = page.content()
            assert secret not in html
            assert webhook not in html
            assert page.get_by_label("Secret key").input_value() == ""
            assert page.get_by_text(f"ending in …{secret[-4:]}").first.is_visible()
            assert page.get_by_role("button", name="Check keys").is_visible()
            page.goto(coastal.url("/manage/payments/"))
        check(page, coastal, "manage-payments-stripe")
    finally:
        _offline_again(coastal)


# --- every page, both marketplaces -------------------------------------------------------------


@pytest.mark.parametrize("slug", ["alpine", "coastal"])
def test_every_host_and_admin_page_is_accessible_and_photographed(page, demo, slug):
    store = demo[slug]
    log_in(page, store, f"host@{slug}.demo.test")
    page.goto(store.url("/host/"))
    assert page.get_by_text(re.compile(r"requests? waits? for your answer")).is_visible()
    check(page, store, "host-dashboard")
    page.get_by_role("link", name="Requests and stays").click()
    assert page.locator(".request").count() >= 1
    assert page.get_by_role("heading", name="Upcoming stays").is_visible()
    check(page, store, "host-reservations")
    page.get_by_role("link", name="Payouts").click()
    assert page.locator("tbody tr").count() >= 2
    check(page, store, "host-payouts")
    page.get_by_role("link", name="Listings").click()
    page.locator("tbody a", has_text=re.compile(".")).first.click()
    check(page, store, "host-listing-edit")
    page.get_by_role("link", name="Calendar and blocked dates").click()
    check(page, store, "host-calendar")
    page.goto(store.url("/host/listings/new/"))
    check(page, store, "host-listing-new")

    page.context.clear_cookies()
    log_in(page, store, f"admin@{slug}.demo.test")
    for path, name in [
        ("/manage/", "manage-branding"), ("/manage/members/", "manage-members"),
        ("/manage/payments/", "manage-payments"), ("/manage/policies/", "manage-policies"),
    ]:  # fmt: skip
        page.goto(store.url(path))
        assert page.locator(".console-nav [aria-current=page]").is_visible()
        check(page, store, name)
    assert page.locator("tr", has_text=f"noah@{slug}.demo.test").count() == 0  # other page
    page.goto(store.url("/manage/members/"))
    assert page.locator("tr", has_text=f"noah@{slug}.demo.test").is_visible()

    page.context.clear_cookies()
    log_in(page, store, "guest@demo.test")
    response = page.goto(store.url("/manage/"))
    assert response.status == 403
    assert page.get_by_role("heading", name="This page is not for you").is_visible()
    check(page, store, "forbidden")
