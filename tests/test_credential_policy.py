"""One credential policy on every login surface (issue 15, items 3 and 4): the API's token
endpoint and GraphQL mutation on every marketplace, the platform host's token endpoint, the
storefront's login form, the admin on marketplace hosts and on the platform host, and
sign-up. Failures count per identity across all of them (and per client address); once
locked out, every surface answers 429 with Retry-After; and no answer, before or after the
lockout, says whether the identity exists, is a member here or is staff."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.services import membership_grant
from shared_apps.accounts.tests.factories import PASSWORD, UserFactory
from shared_apps.core.credentials import INVALID_CREDENTIALS
from shared_apps.tenants.services import tenant_provision

WRONG = "not-the-password-at-all-7"
LOGIN_MUTATION = (
    "mutation($e: String!, $p: String!) { obtainToken(email: $e, password: $p) "
    "{ access errors { code message } } }"
)


@pytest.fixture
def charlie(marketplaces, db):
    """A third marketplace, for this module only (rolled back with the test)."""
    result = tenant_provision(name="Charlie Lakes", slug="charlie", admin_email="a@charlie.test")
    return result.tenant, "charlie.localhost"


def _rest(host: str, email: str, password: str, address: str) -> tuple:
    response = Client(HTTP_HOST=host).post(
        "/api/v1/auth/token",
        {"email": email, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )
    return ("rest", response.status_code, response.json(), _retry_after(response))


def _graphql(host: str, email: str, password: str, address: str) -> tuple:
    response = Client(HTTP_HOST=host).post(
        "/graphql/",
        {"query": LOGIN_MUTATION, "variables": {"e": email, "p": password}},
        content_type="application/json",
        REMOTE_ADDR=address,
    )
    return ("graphql", response.status_code, response.json(), None)


def _page(host: str, path: str, email: str, password: str, address: str) -> tuple:
    """A login form (storefront or admin): its status, the messages it shows, Retry-After."""
    client = Client(HTTP_HOST=host)
    response = client.post(
        path, {"username": email, "password": password, "next": "/"}, REMOTE_ADDR=address
    )
    signed_in = "_auth_user_id" in client.session
    errors = [str(e) for e in response.context["form"].non_field_errors()]
    return (path, response.status_code, errors, _retry_after(response), signed_in)


def _retry_after(response) -> str | None:
    """Whether Retry-After is there and positive (its exact value depends on the clock)."""
    value = response.get("Retry-After")
    return None if value is None else ("positive" if int(value) > 0 else value)


def _surfaces(alpha, bravo, charlie_host, platform_host):
    """Every login surface of the platform, one after another."""
    return [
        lambda e, p, a: _rest(alpha.host, e, p, a),
        lambda e, p, a: _graphql(bravo.host, e, p, a),
        lambda e, p, a: _rest(charlie_host, e, p, a),
        lambda e, p, a: _rest(platform_host, e, p, a),
        lambda e, p, a: _page(alpha.host, "/admin/login/", e, p, a),
        lambda e, p, a: _page(platform_host, "/admin/login/", e, p, a),
        lambda e, p, a: _page(bravo.host, "/login/", e, p, a),
        lambda e, p, a: _graphql(charlie_host, e, p, a),
    ]


def test_50_wrong_passwords_over_three_marketplaces_the_platform_and_the_admins_lock_out_everywhere(
    alpha, bravo, charlie, platform_host
):
    # Given three identities a guesser might aim at: a guest of alpha only, a platform
    # operator (staff, a member of no marketplace), and an email with no account at all
    _charlie, charlie_host = charlie
    guest = UserFactory(email="guest@example.test")
    membership_grant(user=guest, tenant=alpha.tenant, role=Role.GUEST)
    UserFactory(email="operator@example.test", is_staff=True)
    surfaces = _surfaces(alpha, bravo, charlie_host, platform_host)

    def attempts(email: str, password_for) -> list[tuple]:
        """50 tries spread over every surface, each from a new address (so only the
        per-identity counter can stop them)."""
        return [
            surfaces[i % len(surfaces)](email, password_for(i), f"198.51.100.{i + 1}")
            for i in range(50)
        ]

    # When each is tried 50 times; where the identity's password is right but the host is
    # not one it may use (not a member, not staff, not this marketplace's admin), the guesser
    # uses the right password: that must read as a wrong one too.
    guest_may_use = {0}  # alpha's API: the only surface where a guest of alpha gets in
    guest_answers = attempts(
        "guest@example.test",
        lambda i: WRONG if i % len(surfaces) in guest_may_use else PASSWORD,
    )
    operator_may_use = {3, 5}  # the platform host's API and admin
    operator_answers = attempts(
        "operator@example.test",
        lambda i: WRONG if i % len(surfaces) in operator_may_use else PASSWORD,
    )
    nobody_answers = attempts("nobody@example.test", lambda i: PASSWORD)

    # Then the answers are the same, try by try, whoever the identity is
    assert guest_answers == operator_answers == nobody_answers
    # the first 10 are the one "incorrect" answer, on every surface
    for answer in guest_answers[:10]:
        kind, status = answer[0], answer[1]
        if kind == "rest":
            assert status == 401
            assert answer[2] == {
                "code": "invalid_credentials",
                "message": INVALID_CREDENTIALS,
                "fields": {},
            }
        elif kind == "graphql":
            assert answer[2]["data"]["obtainToken"]["errors"][0]["code"] == "invalid_credentials"
        else:
            assert status == 200
            assert answer[2]  # the form's one error
            assert answer[4] is False  # nobody signed in
    # and the other 40 are a lockout, on every surface, with Retry-After
    for answer in guest_answers[10:]:
        kind, status = answer[0], answer[1]
        if kind == "graphql":
            assert answer[2]["data"]["obtainToken"]["errors"][0]["code"] == "too_many_attempts"
            continue
        assert status == 429
        assert answer[3] == "positive"
        if kind == "rest":
            assert answer[2]["code"] == "too_many_attempts"
        else:
            assert "Too many failed sign-in attempts" in answer[2][0]
            assert answer[4] is False
    # And even the right password where it would work is refused while locked out
    assert _rest(alpha.host, "guest@example.test", PASSWORD, "203.0.113.50")[1] == 429
    assert _rest(platform_host, "operator@example.test", PASSWORD, "203.0.113.51")[1] == 429
    # while another identity, from the same addresses, still signs in
    assert _rest(alpha.host, alpha.admin.email, PASSWORD, "198.51.100.1")[1] == 200


def test_sign_up_shares_the_identitys_counter_and_lockout(api, alpha, bravo, settings):
    settings.CREDENTIAL_FAILURES_PER_IDENTITY = 3
    person = UserFactory(email="ada@example.test")
    membership_grant(user=person, tenant=alpha.tenant, role=Role.GUEST)
    signup = {"email": "ada@example.test", "password": WRONG}

    first = api(bravo.host).post("/api/v1/auth/signup", signup, REMOTE_ADDR="192.0.2.1")
    second = api(alpha.host).post(
        "/api/v1/auth/token", {"email": person.email, "password": WRONG}, REMOTE_ADDR="192.0.2.2"
    )
    third = Client(HTTP_HOST=bravo.host).post("/signup/", signup, REMOTE_ADDR="192.0.2.3")
    locked_api = api(bravo.host).post(
        "/api/v1/auth/signup", {**signup, "password": PASSWORD}, REMOTE_ADDR="192.0.2.4"
    )
    locked_page = Client(HTTP_HOST=bravo.host).post(
        "/signup/", {**signup, "password": PASSWORD}, REMOTE_ADDR="192.0.2.5"
    )

    assert first.status_code == second.status_code == 401
    assert third.status_code == 400
    assert INVALID_CREDENTIALS in third.content.decode()
    assert locked_api.status_code == 429
    assert locked_api.json()["code"] == "too_many_attempts"
    assert int(locked_api["Retry-After"]) > 0
    assert locked_page.status_code == 429
    assert int(locked_page["Retry-After"]) > 0
    assert not person.memberships.filter(tenant=bravo.tenant).exists()


def test_failures_from_one_address_lock_that_address_out_for_every_identity(
    api, alpha, bravo, settings
):
    settings.CREDENTIAL_FAILURES_PER_ADDRESS = 4
    here, elsewhere = "203.0.113.7", "203.0.113.8"

    for n, market in enumerate([alpha, bravo, alpha, bravo]):
        api(market.host).post(
            "/api/v1/auth/token",
            {"email": f"guess{n}@example.test", "password": WRONG},
            REMOTE_ADDR=here,
        )
    from_here = api(bravo.host).post(
        "/api/v1/auth/token", {"email": alpha.admin.email, "password": PASSWORD}, REMOTE_ADDR=here
    )
    from_elsewhere = api(alpha.host).post(
        "/api/v1/auth/token",
        {"email": alpha.admin.email, "password": PASSWORD},
        REMOTE_ADDR=elsewhere,
    )

    assert from_here.status_code == 429
    assert from_here.json()["code"] == "too_many_attempts"
    assert from_elsewhere.status_code == 200


def test_a_successful_sign_in_forgives_earlier_failures_of_the_identity(api, alpha, settings):
    settings.CREDENTIAL_FAILURES_PER_IDENTITY = 3
    login = "/api/v1/auth/token"
    email = alpha.admin.email

    for _ in range(2):
        api(alpha.host).post(login, {"email": email, "password": WRONG})
    assert api(alpha.host).post(login, {"email": email, "password": PASSWORD}).status_code == 200
    for _ in range(2):
        api(alpha.host).post(login, {"email": email, "password": WRONG})

    assert api(alpha.host).post(login, {"email": email, "password": PASSWORD}).status_code == 200


def test_a_locked_out_admin_login_is_a_429_with_retry_after(client, alpha, settings):
    settings.CREDENTIAL_FAILURES_PER_IDENTITY = 1
    form = {"username": alpha.admin.email, "password": WRONG, "next": "/admin/"}

    wrong = client.post("/admin/login/", form, HTTP_HOST=alpha.host)
    locked = client.post("/admin/login/", {**form, "password": PASSWORD}, HTTP_HOST=alpha.host)

    assert wrong.status_code == 200
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_the_admin_login_is_throttled_per_address(client, alpha, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "2/min"})
    form = {"username": "someone@example.test", "password": WRONG, "next": "/admin/"}

    statuses = [
        client.post(
            "/admin/login/",
            {**form, "username": f"someone{n}@example.test"},
            HTTP_HOST=alpha.host,
            REMOTE_ADDR="198.51.100.77",
        ).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_lockouts_are_counted_in_the_public_schema_whatever_host_counted_them(alpha, charlie):
    """The counter is one table in the public schema: a marketplace's schema has none."""
    from django.db import connection

    charlie_tenant, _host = charlie
    with tenant_context(charlie_tenant), connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'core_credentialfailure'"
        )
        schemas = {row[0] for row in cursor.fetchall()}

    assert schemas == {"public"}


def test_counters_that_no_longer_count_are_purged_periodically(db):
    from datetime import timedelta

    from django.utils import timezone

    from shared_apps.core.models import CredentialFailure
    from shared_apps.core.tasks import purge_credential_failures

    now = timezone.now()
    long_ago = now - timedelta(hours=2)
    CredentialFailure.objects.bulk_create(
        [
            CredentialFailure(key="identity:stale", failures=3, window_started=long_ago),
            CredentialFailure(key="identity:fresh", failures=3, window_started=now),
            CredentialFailure(
                key="identity:locked",
                failures=10,
                window_started=long_ago,
                locked_until=now + timedelta(minutes=5),
            ),
        ]
    )

    purged = purge_credential_failures()

    assert purged == 1
    assert set(CredentialFailure.objects.values_list("key", flat=True)) == {
        "identity:fresh",
        "identity:locked",
    }
