"""Paths that must cost the same whoever the email belongs to (issue 15, item 11): every
credential path runs the password hasher exactly once (counted, never timed), and a reset
request never looks the address up (its task does)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.services import membership_grant
from shared_apps.accounts.tests.factories import PASSWORD, UserFactory

WRONG = "not-the-password-at-all-7"


@pytest.fixture
def hasher_calls(monkeypatch):
    """How many times the password hasher ran (hashing a new password or checking one)."""
    calls = []
    encode, verify = Argon2PasswordHasher.encode, Argon2PasswordHasher.verify

    def counted_encode(self, *args, **kwargs):
        calls.append("encode")
        return encode(self, *args, **kwargs)

    def counted_verify(self, *args, **kwargs):
        calls.append("verify")
        return verify(self, *args, **kwargs)

    monkeypatch.setattr(Argon2PasswordHasher, "encode", counted_encode)
    monkeypatch.setattr(Argon2PasswordHasher, "verify", counted_verify)
    return calls


@pytest.fixture
def people(alpha, bravo):
    member = UserFactory(email="member@example.test")
    membership_grant(user=member, tenant=alpha.tenant, role=Role.GUEST)
    elsewhere = UserFactory(email="elsewhere@example.test")
    membership_grant(user=elsewhere, tenant=bravo.tenant, role=Role.GUEST)
    gone = UserFactory(email="gone@example.test")
    membership_grant(user=gone, tenant=alpha.tenant, role=Role.GUEST)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    return {"member": member, "elsewhere": elsewhere, "gone": gone}


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("member@example.test", WRONG),  # wrong password
        ("nobody@example.test", PASSWORD),  # unknown email
        ("elsewhere@example.test", PASSWORD),  # right password, not a member here
        ("gone@example.test", PASSWORD),  # right password, deactivated
        ("gone@example.test", WRONG),  # wrong password, deactivated
    ],
)
def test_every_failed_login_runs_the_hasher_once(api, alpha, people, hasher_calls, email, password):
    response = api(alpha.host).post("/api/v1/auth/token", {"email": email, "password": password})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert len(hasher_calls) == 1


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("member@example.test", WRONG),  # an existing identity, wrong password
        ("gone@example.test", PASSWORD),  # deactivated, right password
        ("gone@example.test", WRONG),  # deactivated, wrong password
    ],
)
def test_every_refused_sign_up_runs_the_hasher_once(
    api, bravo, people, hasher_calls, email, password
):
    response = api(bravo.host).post("/api/v1/auth/signup", {"email": email, "password": password})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert len(hasher_calls) == 1


def test_a_new_sign_up_hashes_once_too(api, bravo, hasher_calls):
    response = api(bravo.host).post(
        "/api/v1/auth/signup", {"email": "new@example.test", "password": PASSWORD}
    )

    assert response.status_code == 201
    assert hasher_calls == ["encode"]


def test_a_reset_request_never_reads_the_identity_so_every_address_costs_the_same(
    api, alpha, people
):
    """The lookup happens in the task: the request writes the same outbox message whoever
    the address belongs to, and never touches the users table."""
    captured = {}
    for who in ("member@example.test", "nobody@example.test", "elsewhere@example.test"):
        with CaptureQueriesContext(connection) as queries:
            response = api(alpha.host).post("/api/v1/auth/password/reset", {"email": who})
        assert response.status_code == 202
        captured[who] = [q["sql"] for q in queries.captured_queries]

    shapes = {len(sqls) for sqls in captured.values()}
    assert len(shapes) == 1
    for sqls in captured.values():
        assert not [sql for sql in sqls if "accounts_user" in sql or "accounts_membership" in sql]


@pytest.mark.usefixtures("eager_tasks")
def test_the_reset_task_emails_members_only(
    api, alpha, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for who in ("member@example.test", "nobody@example.test", "elsewhere@example.test",
                    "gone@example.test"):  # fmt: skip
            api(alpha.host).post("/api/v1/auth/password/reset", {"email": who})

    assert [message.to for message in mailoutbox] == [["member@example.test"]]
