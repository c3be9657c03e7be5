"""Tokens stop working when they should, with flat error codes a client can branch on:
a password reset or deactivation revokes every earlier access and refresh token, a token
of a marketplace deleted and provisioned again under the same slug is refused, and an
expired or malformed token says so (never a Python repr)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from shared_apps.accounts.services import password_set
from shared_apps.accounts.tokens import (
    TENANT_CLAIM,
    TENANT_ID_CLAIM,
    VERSION_CLAIM,
    tokens_for_user,
)

ME = "/api/v1/me"
REFRESH = "/api/v1/auth/token/refresh"


def issued(market, user) -> dict:
    with tenant_context(market.tenant):
        return tokens_for_user(user=user)


def bearer(api, market, access: str):
    client = api(market.host)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def reset_password(user, new_password: str) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    password_set(uidb64=uid, token=default_token_generator.make_token(user), password=new_password)


def test_a_password_reset_revokes_every_earlier_access_and_refresh_token(api, alpha, bravo, guest):
    from shared_apps.accounts.services import membership_grant

    membership_grant(user=guest, tenant=bravo.tenant, role="guest")
    in_alpha, in_bravo = issued(alpha, guest), issued(bravo, guest)
    assert bearer(api, alpha, in_alpha["access"]).get(ME).status_code == 200

    reset_password(guest, "a brand new passphrase 42")

    for market, tokens in ((alpha, in_alpha), (bravo, in_bravo)):
        me = bearer(api, market, tokens["access"]).get(ME)
        refreshed = api(market.host).post(REFRESH, {"refresh": tokens["refresh"]})
        assert me.status_code == 401
        assert me.json() == {"code": "token_revoked", "message": me.json()["message"], "fields": {}}
        assert refreshed.status_code == 401
        assert refreshed.json()["code"] == "token_revoked"
    guest.refresh_from_db()
    fresh = issued(alpha, guest)
    assert bearer(api, alpha, fresh["access"]).get(ME).status_code == 200  # new ones work


def test_deactivating_in_the_admin_revokes_tokens_even_after_reactivation(
    api, alpha, guest, admin_client
):
    tokens = issued(alpha, guest)
    guest.is_active = False
    guest.token_version += 1  # what the admin's save does (tested below through the form)
    guest.save(update_fields=["is_active", "token_version"])
    guest.is_active = True
    guest.save(update_fields=["is_active"])

    me = bearer(api, alpha, tokens["access"]).get(ME)

    assert me.status_code == 401
    assert me.json()["code"] == "token_revoked"


def test_the_platform_admin_form_bumps_the_version_on_deactivation(guest, rf):
    from django.contrib import admin

    from shared_apps.accounts.models import User

    model_admin = admin.site._registry[User]
    form_class = model_admin.get_form(rf.get("/"), guest, change=True)
    data = {**model_admin.get_form(rf.get("/"), guest)(instance=guest).initial}
    data.update(is_active=False, date_joined=guest.date_joined)
    form = form_class(data=data, instance=guest)
    form.is_valid()
    before = User.objects.get(pk=guest.pk).token_version

    model_admin.save_model(rf.get("/"), guest, form, change=True)

    assert User.objects.get(pk=guest.pk).token_version == before + 1


def test_a_token_of_a_deleted_and_reprovisioned_slug_is_refused(api, alpha, guest):
    # A token the earlier marketplace "alpha" issued: same slug, but that marketplace's id
    # (deleted since; the alpha of today was provisioned again under the same slug).
    with tenant_context(alpha.tenant):
        refresh = RefreshToken.for_user(guest)
    refresh[TENANT_CLAIM] = alpha.tenant.schema_name
    refresh[TENANT_ID_CLAIM] = str(uuid.uuid4())
    refresh[VERSION_CLAIM] = guest.token_version

    me = bearer(api, alpha, str(refresh.access_token)).get(ME)
    refreshed = api(alpha.host).post(REFRESH, {"refresh": str(refresh)})

    assert me.status_code == 401
    assert me.json()["code"] == "token_wrong_tenant"
    assert refreshed.status_code == 401
    assert refreshed.json()["code"] == "token_wrong_tenant"
    assert bearer(api, alpha, issued(alpha, guest)["access"]).get(ME).status_code == 200


@pytest.mark.parametrize(
    ("token", "code"),
    [("expired", "token_expired"), ("not-a-jwt", "token_invalid"), ("", "token_invalid")],
)
def test_bad_tokens_get_flat_stable_codes_in_rest_and_graphql(api, alpha, guest, token, code):
    if token == "expired":
        with tenant_context(alpha.tenant):
            access = AccessToken.for_user(guest)
            access.set_exp(lifetime=-timedelta(seconds=1))
            token = str(access)
    token = token or "a.b.c"

    rest = bearer(api, alpha, token).get(ME)

    assert rest.status_code == 401
    assert rest.json()["code"] == code
    assert "ErrorDetail" not in rest.json()["message"]
    assert "{" not in rest.json()["message"]
    answer = bearer(api, alpha, token).post("/graphql/", {"query": "{ me { email } }"})
    assert answer.json()["errors"][0]["extensions"]["code"] == code
    assert "ErrorDetail" not in answer.json()["errors"][0]["message"]


# --- Refresh rotation and reuse --------------------------------------------------------


def login(api, market, email: str, password: str) -> dict:
    response = api(market.host).post("/api/v1/auth/token", {"email": email, "password": password})
    assert response.status_code == 200, response.content
    return response.json()


def test_refresh_tokens_rotate_and_a_reused_one_revokes_every_token(api, alpha, bravo, guest):
    from shared_apps.accounts.services import membership_grant
    from shared_apps.accounts.tests.factories import PASSWORD

    membership_grant(user=guest, tenant=bravo.tenant, role="guest")
    first = login(api, alpha, guest.email, PASSWORD)
    on_bravo = login(api, bravo, guest.email, PASSWORD)

    # When the client refreshes, it gets a new pair; the spent refresh token is dead
    rotated = api(alpha.host).post(REFRESH, {"refresh": first["refresh"]})
    assert rotated.status_code == 200
    second = rotated.json()
    assert set(second) == {"access", "refresh"}
    assert second["refresh"] != first["refresh"]
    assert bearer(api, alpha, second["access"]).get(ME).status_code == 200

    # And when someone replays the spent one (a stolen copy), every token of the identity,
    # on every marketplace, stops working: the thief's and the rightful client's alike
    replayed = api(alpha.host).post(REFRESH, {"refresh": first["refresh"]})
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "token_reused"
    for market, tokens in ((alpha, second), (bravo, on_bravo)):
        assert bearer(api, market, tokens["access"]).get(ME).status_code == 401
        again = api(market.host).post(REFRESH, {"refresh": tokens["refresh"]})
        assert again.status_code == 401
        assert again.json()["code"] == "token_revoked"
    assert login(api, alpha, guest.email, PASSWORD)["access"]  # logging in again works


def test_a_password_reset_through_the_api_revokes_rotated_tokens_too(
    api, alpha, guest, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    from shared_apps.accounts.tests.factories import PASSWORD

    first = login(api, alpha, guest.email, PASSWORD)
    second = api(alpha.host).post(REFRESH, {"refresh": first["refresh"]}).json()

    # The identity resets its password the way a person does: ask, follow the emailed link
    with django_capture_on_commit_callbacks(execute=True):
        asked = api(alpha.host).post("/api/v1/auth/password/reset", {"email": guest.email})
    link = mailoutbox[0].body.split("/accounts/set-password/")[1].split()[0]
    uid, token = link.strip("/").split("/")
    done = api(alpha.host).post(
        "/api/v1/auth/password/set",
        {"uid": uid, "token": token, "password": "a brand new passphrase 42"},
    )

    assert asked.status_code == 202
    assert done.status_code == 204
    for access in (first["access"], second["access"]):
        assert bearer(api, alpha, access).get(ME).status_code == 401
    for refresh in (first["refresh"], second["refresh"]):
        response = api(alpha.host).post(REFRESH, {"refresh": refresh})
        assert response.status_code == 401
        assert response.json()["code"] in {"token_revoked", "token_reused"}
    assert login(api, alpha, guest.email, "a brand new passphrase 42")["access"]


def test_a_login_that_upgrades_an_old_password_hash_issues_tokens_that_work(api, alpha, guest):
    """Django re-hashes an old-style hash at login; that is not a password change, so the
    tokens of that very login must not be born revoked."""
    from django.contrib.auth.hashers import make_password

    from shared_apps.accounts.models import User
    from shared_apps.accounts.tests.factories import PASSWORD

    User.objects.filter(pk=guest.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )

    tokens = login(api, alpha, guest.email, PASSWORD)

    assert bearer(api, alpha, tokens["access"]).get(ME).status_code == 200
    assert User.objects.get(pk=guest.pk).password.startswith("argon2")  # upgraded
