"""The base layout, theme and favicon every storefront page shares, per marketplace."""

from __future__ import annotations

import re

import pytest
from csp.utils import build_policy
from django.test import Client

from shared_apps.accounts.constants import Role
from shared_apps.accounts.tests.factories import PASSWORD, member_factory
from shared_apps.core.colors import contrast_ratio

pytestmark = pytest.mark.django_db


def page(market, path="/", **extra):
    return Client(HTTP_HOST=market.host).get(path, **extra)


def test_home_carries_the_marketplace_brand_and_none_of_the_platform(alpha, bravo, settings):
    alpha_html = page(alpha).content.decode()
    bravo_html = page(bravo).content.decode()

    assert "<title>Places to stay · Alpha Mountain Stays</title>" in alpha_html
    assert "Bravo Beach Houses" in bravo_html
    assert "Alpha Mountain Stays" not in bravo_html
    assert settings.PLATFORM_NAME not in alpha_html


def test_pages_have_landmarks_a_skip_link_and_no_inline_script_or_style(alpha):
    response = page(alpha)
    html = response.content.decode()

    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "<header" in html
    assert "<footer" in html
    assert "<nav" in html
    assert "<style" not in html
    assert " style=" not in html
    # Every script is an external file from this site.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert response["Content-Security-Policy"] == build_policy()  # the project's one policy


def test_theme_stylesheet_carries_each_marketplaces_colours_with_a_cacheable_version(alpha, bravo):
    alpha_html = page(alpha).content.decode()
    theme_url = re.search(r'href="(/theme\.css\?v=\w+)"', alpha_html).group(1)

    alpha_css = page(alpha, theme_url)
    bravo_css = page(bravo, "/theme.css").content.decode()

    assert alpha_css["Content-Type"].startswith("text/css")
    assert "--brand-primary: #0a7d32;" in alpha_css.content.decode()
    assert "--brand-primary: #1d4ed8;" in bravo_css
    assert "immutable" in alpha_css["Cache-Control"]
    assert "immutable" not in page(alpha, "/theme.css?v=old")["Cache-Control"]


def test_a_branding_change_gives_the_theme_a_new_url(alpha):
    before = re.search(r"theme\.css\?v=(\w+)", page(alpha).content.decode()).group(1)
    alpha.tenant.primary_color = "#aa0000"
    alpha.tenant.save(update_fields=["primary_color"])

    after = re.search(r"theme\.css\?v=(\w+)", page(alpha).content.decode()).group(1)

    assert before != after


@pytest.mark.parametrize("primary", ["#ffff00", "#777777", "#0a7d32", "#000000", "#f0f0f0"])
def test_theme_text_colours_keep_4_5_to_1_whatever_the_brand_colours(alpha, primary):
    alpha.tenant.primary_color = primary
    alpha.tenant.accent_color = "#ffd400"
    alpha.tenant.save(update_fields=["primary_color", "accent_color"])
    css = page(alpha, "/theme.css").content.decode()
    values = dict(re.findall(r"(--brand-[\w-]+): (#[0-9a-f]{6});", css))

    pairs = [
        ("--brand-on-primary", "--brand-primary"),
        ("--brand-on-accent", "--brand-accent"),
    ]
    for text, background in pairs:
        assert contrast_ratio(values[text], values[background]) >= 4.5
    for text in ("--brand-primary-text", "--brand-accent-text"):
        for background in ("#ffffff", "#f7f7f8", values["--brand-primary-tint"]):
            assert contrast_ratio(values[text], background) >= 4.5


def test_favicon_is_the_marketplaces_initial_in_its_colour(alpha, bravo):
    alpha_icon = page(alpha, "/favicon.svg")
    bravo_icon = page(bravo, "/favicon.svg").content.decode()

    assert alpha_icon["Content-Type"] == "image/svg+xml"
    assert 'fill="#0a7d32"' in alpha_icon.content.decode()
    assert ">A</text>" in alpha_icon.content.decode()
    assert 'fill="#1d4ed8"' in bravo_icon
    assert ">B</text>" in bravo_icon
    assert page(alpha, "/favicon.ico")["Location"] == "/favicon.svg"


def test_session_and_csrf_cookies_are_host_only(alpha):
    client = Client(HTTP_HOST=alpha.host)
    client.get("/login/")
    response = client.post("/login/", {"username": alpha.admin.email, "password": PASSWORD})

    assert response.status_code == 302
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["domain"] == ""
    assert session_cookie["httponly"]
    assert client.cookies["csrftoken"]["domain"] == ""


def test_a_login_on_one_marketplace_is_not_a_login_on_another(alpha, bravo):
    user = member_factory(alpha.tenant, Role.GUEST).user
    from shared_apps.accounts.services import membership_grant

    membership_grant(user=user, tenant=bravo.tenant, role=Role.GUEST)
    on_alpha = Client(HTTP_HOST=alpha.host)
    on_alpha.post("/login/", {"username": user.email, "password": PASSWORD})
    session = on_alpha.cookies["sessionid"].value

    # The same cookie presented to bravo (a browser would not even send it there).
    on_bravo = Client(HTTP_HOST=bravo.host)
    on_bravo.cookies["sessionid"] = session

    assert "Log out" in on_alpha.get("/").content.decode()
    bravo_home = on_bravo.get("/").content.decode()
    assert "Log out" not in bravo_home
    assert "Log in" in bravo_home


def test_login_refuses_an_identity_that_is_not_a_member_here(alpha, bravo):
    stranger = member_factory(bravo.tenant, Role.GUEST).user

    response = Client(HTTP_HOST=alpha.host).post(
        "/login/", {"username": stranger.email, "password": PASSWORD}
    )

    wrong = Client(HTTP_HOST=alpha.host).post(
        "/login/", {"username": stranger.email, "password": "not-the-password-1"}
    )

    assert response.status_code == wrong.status_code == 200
    assert response.context["form"].errors == wrong.context["form"].errors  # no oracle
    assert "_auth_user_id" not in response.client.session


def test_user_text_is_escaped_in_the_layout(alpha):
    alpha.tenant.display_name = "<script>alert(1)</script>"
    alpha.tenant.save(update_fields=["display_name"])

    html = page(alpha).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
