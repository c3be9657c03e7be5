"""Account pages: sign up (a new identity, or an existing one joining), profile, password
change, password reset by emailed link; from two marketplaces."""

from __future__ import annotations

import re

import pytest

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import Membership, User
from shared_apps.accounts.services import password_link_for
from shared_apps.accounts.tests.factories import PASSWORD
from shared_apps.core.credentials import INVALID_CREDENTIALS
from tenant_apps.storefront.tests.helpers import browser, signed_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern-ridge-orchard-58"


def _membership(user, market):
    return Membership.objects.filter(user=user, tenant=market.tenant).first()


def test_a_new_visitor_signs_up_and_is_signed_in_here_only(alpha, bravo):
    client = browser(alpha)

    response = client.post(
        "/signup/?next=/trips/",
        {"first_name": "Nina", "email": "Nina@Example.test", "password": NEW_PASSWORD,
         "next": "/trips/"},
    )  # fmt: skip

    user = User.objects.get(email="nina@example.test")
    assert response.status_code == 302
    assert response["Location"] == "/trips/"
    assert _membership(user, alpha).role == Role.GUEST
    assert _membership(user, bravo) is None
    assert client.get("/trips/").status_code == 200
    assert client.get("/trips/", HTTP_HOST=bravo.host).status_code == 302


def test_an_identity_from_another_marketplace_joins_with_its_password(alpha, bravo, make_member):
    person = make_member(bravo.tenant, Role.GUEST).user

    wrong = browser(alpha).post("/signup/", {"email": person.email, "password": "not-it-at-all"})
    joined = browser(alpha).post("/signup/", {"email": person.email, "password": PASSWORD})

    assert wrong.status_code == 400
    assert INVALID_CREDENTIALS in wrong.content.decode()
    assert joined.status_code == 302
    assert _membership(person, alpha).role == Role.GUEST
    assert User.objects.filter(email=person.email).count() == 1


def test_signup_refuses_a_weak_password_saying_why(alpha):
    response = browser(alpha).post("/signup/", {"email": "weak@example.test", "password": "12345"})

    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="weak@example.test").exists()


def test_signup_never_redirects_off_this_marketplace(alpha):
    response = browser(alpha).post(
        "/signup/",
        {"email": "redirect@example.test", "password": NEW_PASSWORD,
         "next": "https://evil.example/"},
    )  # fmt: skip

    assert response["Location"] == "/"


def test_a_member_of_another_marketplace_gets_the_wrong_password_answer_and_a_hint(
    alpha, bravo, make_member
):
    person = make_member(bravo.tenant, Role.GUEST).user

    response = browser(alpha).post("/login/", {"username": person.email, "password": PASSWORD})
    wrong = browser(alpha).post("/login/", {"username": person.email, "password": "not-it-99"})

    # The same page as a wrong password (no membership oracle), which says how to join.
    assert response.status_code == wrong.status_code == 200
    assert response.context["form"].errors == wrong.context["form"].errors
    assert INVALID_CREDENTIALS in response.content.decode()
    assert "Sign up to join this one" in response.content.decode()


def test_the_profile_is_edited_on_its_page(alpha, guest):
    client = signed_in(alpha, guest)

    saved = client.post("/account/", {"first_name": "Ada", "last_name": "King", "phone": "+41 1"})
    page = client.get("/account/").content.decode()

    guest.refresh_from_db()
    assert saved.status_code == 302
    assert (guest.first_name, guest.last_name, guest.phone) == ("Ada", "King", "+41 1")
    assert 'value="King"' in page
    assert browser(alpha).get("/account/").status_code == 302  # signed out: log in first


def test_the_password_is_changed_and_the_session_stays(alpha, guest):
    client = signed_in(alpha, guest)

    wrong = client.post(
        "/account/password/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    changed = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    guest.refresh_from_db()
    assert wrong.status_code == 400
    assert changed.status_code == 302
    assert guest.check_password(NEW_PASSWORD)
    assert client.get("/trips/").status_code == 200
    signed_in(alpha, guest, password=NEW_PASSWORD)


def test_a_reset_link_opens_the_marketplaces_page_and_sets_the_password(
    alpha, guest, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = browser(alpha).post("/password-reset/", {"email": guest.email})
    link = re.search(r"https?://\S+", mailoutbox[0].body).group(0)
    path = link.split("localhost:8000", 1)[1]

    form = browser(alpha).get(path)
    done = browser(alpha).post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    reused = browser(alpha).get(path)

    assert asked.status_code == 200
    assert "Check your email" in asked.content.decode()
    assert link.startswith("http://alpha.localhost:8000/accounts/set-password/")
    assert "<title>Choose your password · Alpha Mountain Stays</title>" in form.content.decode()
    assert "Password set" in done.content.decode()
    assert reused.status_code == 400
    guest.refresh_from_db()
    assert guest.check_password(NEW_PASSWORD)


def test_reset_says_the_same_whoever_asks(alpha, bravo, mailoutbox, eager_tasks):
    known = browser(alpha).post("/password-reset/", {"email": bravo.admin.email})
    unknown = browser(alpha).post("/password-reset/", {"email": "nobody@example.test"})

    assert known.status_code == unknown.status_code == 200
    assert "Check your email" in known.content.decode()
    assert mailoutbox == []


def test_the_emailed_link_path_is_the_storefront_page(alpha, guest):
    from django.urls import resolve

    link = password_link_for(user=guest, tenant=alpha.tenant)
    path = link.split("localhost:8000", 1)[1]

    assert resolve(path, urlconf="config.urls_tenant").url_name == "storefront-password-set"


def test_pages_share_the_apis_rate_limits_per_marketplace(alpha, bravo, api, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"signup": "2/min"})
    body = {"email": bravo.admin.email, "password": "not-it-at-all"}  # a wrong password

    here = {"REMOTE_ADDR": "203.0.113.77"}  # an address no other test counts against

    first = browser(alpha).post("/signup/", body, **here)
    by_api = api(alpha.host).post("/api/v1/auth/signup", body, **here)
    third = browser(alpha).post("/signup/", body, **here)
    elsewhere = browser(bravo).post("/signup/", body, **here)
    reading = browser(alpha).get("/signup/", **here)

    assert first.status_code == 400  # counted, and answered
    assert by_api.status_code == 401
    assert third.status_code == 429
    assert int(third["Retry-After"]) > 0
    assert "Too many attempts from here." in third.content.decode()
    assert "Alpha Mountain Stays" in third.content.decode()
    assert elsewhere.status_code == 400  # another marketplace counts on its own
    assert reading.status_code == 200


def test_without_the_throttles_redis_log_in_is_a_branded_503_not_a_way_around_limits(
    alpha, guest, settings
):
    from django.core.cache import caches

    # The throttles' Redis is unreachable (a closed port); the default cache still works.
    settings.CACHES = {
        **settings.CACHES,
        "throttles": {**settings.CACHES["throttles"], "LOCATION": "redis://127.0.0.1:9/0"},
    }
    caches["throttles"].close()

    answer = browser(alpha).post("/login/", {"email": guest.email, "password": PASSWORD})

    assert answer.status_code == 503
    assert int(answer["Retry-After"]) > 0
    assert "Signing in is briefly unavailable." in answer.content.decode()
    assert "Alpha Mountain Stays" in answer.content.decode()
