"""Marketplace admins' pages: branding (with its preview and contrast report), members and
roles, payment keys that are never shown again, and the booking and review policies."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import tenant_context
from PIL import Image

from shared_apps.accounts.constants import Role
from shared_apps.accounts.selectors import membership_for
from shared_apps.accounts.tests.factories import member_factory
from shared_apps.tenants.models import Tenant
from tenant_apps.bookings.pricing import booking_policy
from tenant_apps.payments.selectors import payment_settings
from tenant_apps.payments.tests.fakes import FakeStripe
from tenant_apps.reviews.selectors import review_policy
from tenant_apps.storefront.selectors import storefront_profile
from tenant_apps.storefront.tests.helpers import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_listing_cache")]


def _picture(name="logo.png", size=(96, 96)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _branding(**changes) -> dict:
    return {
        "display_name": "Alpha Peaks", "tagline": "Huts above the clouds",
        "description": "Mountain huts", "primary_color": "#7c2d12",
        "accent_color": "#fde047", "support_email": "help@alpha.test", **changes,
    }  # fmt: skip


def _field_block(html: str, field_id: str) -> str:
    return html[html.index(f'id="{field_id}"') :][:700]


def test_an_admin_rebrands_and_the_guest_pages_change_at_once(alpha, bravo):
    client = signed_in(alpha, alpha.admin)
    before = Client(HTTP_HOST=alpha.host).get("/").content.decode()
    old_theme = re.search(r"theme\.css\?v=(\w+)", before).group(1)

    response = client.post("/manage/", _branding(logo=_picture(), hero=_picture("hero.png")))

    assert response.status_code == 302
    home = Client(HTTP_HOST=alpha.host).get("/").content.decode()
    tenant = Tenant.objects.get(pk=alpha.tenant.pk)
    assert '<h1 id="hero-title">Alpha Peaks</h1>' in home
    assert "Huts above the clouds" in home
    assert f'src="{tenant.logo_url}"' in home
    assert f'src="{tenant.hero_url}"' in home
    assert tenant.logo_url.startswith("/media/tenants/alpha/branding/logo-")
    assert re.search(r"theme\.css\?v=(\w+)", home).group(1) != old_theme
    css = Client(HTTP_HOST=alpha.host).get("/theme.css").content.decode()
    assert "--brand-primary: #7c2d12;" in css
    # The other marketplace is untouched.
    assert "Alpha Peaks" not in Client(HTTP_HOST=bravo.host).get("/").content.decode()


def test_a_logo_that_is_not_a_picture_is_refused_next_to_its_field_and_nothing_changes(alpha):
    client = signed_in(alpha, alpha.admin)
    fake = SimpleUploadedFile("logo.png", b"not a picture", content_type="image/png")

    response = client.post("/manage/", _branding(logo=fake))

    html = response.content.decode()
    assert response.status_code == 400
    assert "The file is not a JPEG, PNG or WebP image." in _field_block(html, "id_logo")
    tenant = Tenant.objects.get(pk=alpha.tenant.pk)
    assert tenant.display_name == "Alpha Mountain Stays"
    assert tenant.logo_url == ""
    with tenant_context(alpha.tenant):
        assert storefront_profile().tagline == ""  # the profile rolled back with it


def test_a_colour_that_is_not_a_colour_is_refused_next_to_the_field(alpha):
    response = signed_in(alpha, alpha.admin).post("/manage/", _branding(primary_color="green"))

    assert "Use a colour like #14532d." in _field_block(
        response.content.decode(), "id_primary_color"
    )
    assert Tenant.objects.get(pk=alpha.tenant.pk).primary_color == "#0a7d32"


def test_the_preview_shows_the_picked_colours_and_their_contrast_without_saving(alpha):
    client = signed_in(alpha, alpha.admin)

    panel = client.get(
        "/manage/branding/preview/",
        {"display_name": "<i>New</i>", "primary_color": "#fef08a", "accent_color": "#111111"},
    ).content.decode()
    css = client.get(
        "/manage/branding/preview.css", {"primary_color": "#fef08a", "accent_color": "#111111"}
    )

    assert "&lt;i&gt;New&lt;/i&gt;" in panel
    assert "preview.css?primary_color=%23fef08a&amp;accent_color=%23111111" in panel
    ratios = [float(r) for r in re.findall(r"<td>([\d.]+) : 1</td>", panel)]
    assert len(ratios) == 8
    assert min(ratios) >= 4.5
    assert css["Content-Type"].startswith("text/css")
    assert ".brand-preview {" in css.content.decode()
    assert "--brand-primary: #fef08a;" in css.content.decode()
    assert Tenant.objects.get(pk=alpha.tenant.pk).primary_color == "#0a7d32"


def test_an_admin_promotes_a_member_to_admin_and_demotes_them(alpha):
    member = member_factory(alpha.tenant, Role.GUEST).user
    client = signed_in(alpha, alpha.admin)
    assert member.email in client.get("/manage/members/").content.decode()

    client.post(f"/manage/members/{member.pk}/role/", {"role": "admin"})
    assert membership_for(user=member, tenant=alpha.tenant).role == Role.ADMIN

    response = client.post(f"/manage/members/{member.pk}/role/", {"role": "host"}, follow=True)
    assert membership_for(user=member, tenant=alpha.tenant).role == Role.HOST
    assert f"{member.email} is now host." in response.content.decode()


def test_the_last_admin_cannot_demote_themselves(alpha):
    client = signed_in(alpha, alpha.admin)

    response = client.post(
        f"/manage/members/{alpha.admin.pk}/role/", {"role": "guest"}, follow=True
    )

    assert "A marketplace needs at least one admin." in response.content.decode()
    assert membership_for(user=alpha.admin, tenant=alpha.tenant).role == Role.ADMIN


def test_members_of_another_marketplace_are_neither_listed_nor_changeable(alpha, bravo):
    outsider = member_factory(bravo.tenant, Role.GUEST).user
    client = signed_in(alpha, alpha.admin)

    listed = client.get("/manage/members/").content.decode()
    response = client.post(f"/manage/members/{outsider.pk}/role/", {"role": "admin"})

    assert outsider.email not in listed
    assert response.status_code == 404
    assert membership_for(user=outsider, tenant=bravo.tenant).role == Role.GUEST


@pytest.fixture
def fake_stripe(settings):
    fake = FakeStripe()
    settings.PAYMENTS_STRIPE_API_BASE = fake.url
    settings.PAYMENTS_NETWORK_RETRIES = 0
    yield fake
    fake.stop()


def test_an_admin_sets_keys_and_never_sees_a_secret_again(alpha, fake_stripe):
    keys = fake_stripe.open_account()
    client = signed_in(alpha, alpha.admin)

    response = client.post("/manage/payments/", {"provider": "stripe", **keys}, follow=True)
    checked = client.post("/manage/payments/check/", follow=True).content.decode()

    html = response.content.decode()
    assert "Payment settings saved." in html
    assert keys["secret_key"] not in html
    assert keys["webhook_secret"] not in html
    assert f"…{keys['secret_key'][-4:]}" in html
    assert "The stripe keys work." in checked
    assert keys["secret_key"] not in checked
    with tenant_context(alpha.tenant):
        assert payment_settings().provider == "stripe"


def test_a_key_of_the_wrong_shape_is_refused_next_to_its_field_and_not_echoed(alpha):
    response = signed_in(alpha, alpha.admin).post(
        "/manage/payments/",
        {"provider": "stripe", "publishable_key": "pk_test_abcdefghijklmnop1234",
         "secret_key": "oops-this-is-wrong", "webhook_secret": ""},
    )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 400
    assert "This is not a Stripe secret key" in _field_block(html, "id_secret_key")
    assert "oops-this-is-wrong" not in html
    with tenant_context(alpha.tenant):
        assert payment_settings().provider == "offline"


def test_an_admin_changes_the_booking_and_review_policies(alpha):
    client = signed_in(alpha, alpha.admin)

    client.post(
        "/manage/policies/",
        {"policy": "booking", "booking-guest_fee_percent": "12.5",
         "booking-host_fee_percent": "3", "booking-tax_percent": "7.7",
         "booking-booking_window_days": "300", "booking-request_expiry_hours": "48"},
    )  # fmt: skip
    client.post("/manage/policies/", {"policy": "reviews", "reviews-review_window_days": "30"})

    with tenant_context(alpha.tenant):
        assert str(booking_policy().request_expiry_hours) == "48"
        assert str(booking_policy().guest_fee_percent) == "12.50"
        assert review_policy().review_window_days == 30


def test_a_policy_out_of_range_is_refused_by_the_service_next_to_the_field(alpha):
    client = signed_in(alpha, alpha.admin)

    response = client.post(
        "/manage/policies/",
        {"policy": "booking", "booking-guest_fee_percent": "12",
         "booking-host_fee_percent": "3", "booking-tax_percent": "0",
         "booking-booking_window_days": "365", "booking-request_expiry_hours": "1000"},
    )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 400
    assert "The time a host has to answer must be from 1 to 168." in _field_block(
        html, "id_booking-request_expiry_hours"
    )
    with tenant_context(alpha.tenant):
        assert booking_policy().guest_fee_percent != 12  # nothing of it saved


def test_without_javascript_the_preview_button_shows_the_colours_and_saves_nothing(alpha):
    response = signed_in(alpha, alpha.admin).post(
        "/manage/", {**_branding(primary_color="#fef08a"), "preview": "1"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "preview.css?primary_color=%23fef08a" in html
    assert Tenant.objects.get(pk=alpha.tenant.pk).primary_color == "#0a7d32"


@pytest.mark.parametrize(
    "path", ["/manage/", "/manage/members/", "/manage/payments/", "/manage/policies/"]
)
def test_admin_pages_carry_no_inline_script_or_style(alpha, path):
    html = signed_in(alpha, alpha.admin).get(path).content.decode()

    assert "<style" not in html
    assert " style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
