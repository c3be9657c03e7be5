"""Forgotten passwords and the set-password page."""

import pytest

from shared_apps.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.usefixtures("eager_tasks")  # the emails are sent by tasks

RESET = "/api/v1/auth/password/reset"


def _link(message) -> tuple[str, str, str]:
    path = "/accounts/set-password/" + message.body.split("/accounts/set-password/")[1].split()[0]
    uid, token = path.split("/")[3:5]
    return path, uid, token


def test_a_member_gets_a_branded_reset_link(
    api, alpha, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alpha.host).post(RESET, {"email": alpha.admin.email.upper()})

    assert response.status_code == 202
    assert len(mailoutbox) == 1
    assert "Alpha Mountain Stays" in mailoutbox[0].subject
    assert "http://alpha.localhost:8000/accounts/set-password/" in mailoutbox[0].body


def test_reset_says_the_same_for_unknown_and_non_member_emails(
    api, alpha, bravo, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = api(alpha.host).post(RESET, {"email": "nobody@example.test"})
        not_member = api(alpha.host).post(RESET, {"email": bravo.admin.email})

    assert unknown.status_code == not_member.status_code == 202
    assert unknown.content == not_member.content
    assert mailoutbox == []


def test_an_operator_resets_on_the_platform_host(
    api, platform_host, marketplaces, db, mailoutbox, django_capture_on_commit_callbacks
):
    operator = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        api(platform_host).post(RESET, {"email": operator.email})

    assert "http://localhost:8000/accounts/set-password/" in mailoutbox[0].body


def test_the_set_password_page_sets_the_password_once(
    client, api, alpha, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api(alpha.host).post(RESET, {"email": alpha.admin.email})
    path, _, _ = _link(mailoutbox[0])
    new_password = "glacier-views-at-noon-7"

    form = client.get(path, HTTP_HOST=alpha.host)
    done = client.post(
        path, {"new_password1": new_password, "new_password2": new_password}, HTTP_HOST=alpha.host
    )
    again = client.get(path, HTTP_HOST=alpha.host)

    assert form.status_code == 200
    assert b"Choose your password" in form.content
    assert b"Password set" in done.content
    assert again.status_code == 400
    alpha.admin.refresh_from_db()
    assert alpha.admin.check_password(new_password)
    assert not alpha.admin.check_password(PASSWORD)


def test_the_set_password_page_rejects_a_weak_password(
    client, api, alpha, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api(alpha.host).post(RESET, {"email": alpha.admin.email})
    path, _, _ = _link(mailoutbox[0])

    response = client.post(
        path, {"new_password1": "password", "new_password2": "password"}, HTTP_HOST=alpha.host
    )

    assert response.status_code == 400  # the form again, with what to fix
    assert b"too common" in response.content
    alpha.admin.refresh_from_db()
    assert alpha.admin.check_password(PASSWORD)


def test_the_api_rejects_a_weak_password_and_a_forged_token(
    api, alpha, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api(alpha.host).post(RESET, {"email": alpha.admin.email})
    _, uid, token = _link(mailoutbox[0])
    client = api(alpha.host)

    weak = client.post(
        "/api/v1/auth/password/set", {"uid": uid, "token": token, "password": "1234"}
    )
    forged = client.post(
        "/api/v1/auth/password/set", {"uid": uid, "token": "1-abc", "password": "x9-long-enough-pw"}
    )
    garbage_uid = client.post(
        "/api/v1/auth/password/set", {"uid": "%%%", "token": token, "password": "x9-long-enough-pw"}
    )

    assert weak.status_code == 400
    assert "password" in weak.json()["fields"]
    assert forged.status_code == garbage_uid.status_code == 400
    assert forged.json()["code"] == "invalid_token"
