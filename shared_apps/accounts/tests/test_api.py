"""Sign-up, tokens, profile and members, always seen from two marketplaces."""

import pytest
from rest_framework.throttling import ScopedRateThrottle

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import Membership, User
from shared_apps.accounts.services import membership_grant
from shared_apps.accounts.tests.factories import PASSWORD, UserFactory
from shared_apps.core.credentials import INVALID_CREDENTIALS
from shared_apps.tenants.models import Tenant

SIGNUP = "/api/v1/auth/signup"
TOKEN = "/api/v1/auth/token"


def signup(api, host, email, password=PASSWORD, **extra):
    return api(host).post(SIGNUP, {"email": email, "password": password, **extra}, format="json")


def test_signup_creates_an_identity_with_a_guest_membership(api, alpha):
    response = signup(api, alpha.host, "Ada@Example.test", first_name="Ada")

    assert response.status_code == 201
    body = response.json()
    assert body["identity_created"] is True
    assert body["role"] == "guest"
    assert body["user"]["email"] == "ada@example.test"
    assert body["access"]
    assert body["refresh"]
    user = User.objects.get(email="ada@example.test")
    assert user.password.startswith("argon2")
    assert Membership.objects.filter(user=user, tenant=alpha.tenant, role=Role.GUEST).exists()


def test_one_identity_joins_two_marketplaces(api, alpha, bravo):
    # Given Ada signed up on alpha
    signup(api, alpha.host, "ada@example.test")

    # When she signs up on bravo with the same email (any case) and password
    response = signup(api, bravo.host, "ADA@example.test")

    # Then bravo adds a membership to the same identity
    assert response.status_code == 201
    assert response.json()["identity_created"] is False
    assert response.json()["membership_created"] is True
    assert User.objects.filter(email__iexact="ada@example.test").count() == 1
    user = User.objects.get(email="ada@example.test")
    assert set(user.memberships.values_list("tenant__schema_name", flat=True)) == {
        "alpha",
        "bravo",
    }


def test_joining_with_a_wrong_password_is_refused_and_creates_nothing(api, alpha, bravo):
    signup(api, alpha.host, "ada@example.test")

    response = signup(api, bravo.host, "ada@example.test", password="not-her-password-99")

    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_credentials",
        "message": INVALID_CREDENTIALS,
        "fields": {},
    }
    assert not Membership.objects.filter(tenant=bravo.tenant, user__email="ada@example.test")


def test_signing_up_again_on_the_same_marketplace_just_logs_in(api, alpha):
    signup(api, alpha.host, "ada@example.test")

    response = signup(api, alpha.host, "ada@example.test")

    assert response.status_code == 200
    assert response.json()["membership_created"] is False
    assert Membership.objects.filter(user__email="ada@example.test").count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "ada@example.test", "password": "short"}, "password"),
        ({"email": "ada@example.test", "password": "12345678901"}, "password"),
        ({"email": "not-an-email", "password": PASSWORD}, "email"),
        ({"password": PASSWORD}, "email"),
    ],
)
def test_bad_signup_input_is_a_400_naming_the_field(api, alpha, payload, field):
    response = api(alpha.host).post(SIGNUP, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not User.objects.filter(email="ada@example.test").exists()


def test_malformed_json_is_a_400(api, alpha):
    response = api(alpha.host).post(SIGNUP, data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_login_returns_tokens_that_work_on_the_same_marketplace(api, alpha):
    signup(api, alpha.host, "ada@example.test")

    tokens = (
        api(alpha.host)
        .post(TOKEN, {"email": "ADA@example.test", "password": PASSWORD}, format="json")
        .json()
    )
    me = api(alpha.host)
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    assert me.get("/api/v1/me").json()["email"] == "ada@example.test"


def test_wrong_password_and_unknown_email_get_the_same_401(api, alpha):
    signup(api, alpha.host, "ada@example.test")

    wrong = api(alpha.host).post(TOKEN, {"email": "ada@example.test", "password": "x" * 12})
    unknown = api(alpha.host).post(TOKEN, {"email": "nobody@example.test", "password": "x" * 12})

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_the_right_password_on_a_marketplace_one_has_not_joined_is_a_plain_401(api, alpha, bravo):
    signup(api, alpha.host, "ada@example.test")

    right = api(bravo.host).post(TOKEN, {"email": "ada@example.test", "password": PASSWORD})
    wrong = api(bravo.host).post(TOKEN, {"email": "ada@example.test", "password": "x" * 12})

    # No oracle: "right password, not a member here" reads exactly as a wrong password.
    assert right.status_code == wrong.status_code == 401
    assert (
        right.json()
        == wrong.json()
        == {
            "code": "invalid_credentials",
            "message": INVALID_CREDENTIALS,
            "fields": {},
        }
    )


def test_a_token_from_marketplace_a_is_refused_on_b(api, alpha, bravo):
    # Given Ada is a member of both, holding a token from alpha
    signup(api, alpha.host, "ada@example.test")
    signup(api, bravo.host, "ada@example.test")
    user = User.objects.get(email="ada@example.test")
    client = api(bravo.host, user, issuer=alpha.tenant)

    # When she presents alpha's token to bravo
    response = client.get("/api/v1/me")

    # Then bravo refuses it
    assert response.status_code == 401
    assert response.json()["code"] == "token_wrong_tenant"
    assert "another marketplace" in response.json()["message"]


def test_a_refresh_token_from_a_is_refused_on_b(api, alpha, bravo):
    tokens = signup(api, alpha.host, "ada@example.test").json()
    signup(api, bravo.host, "ada@example.test")

    on_b = api(bravo.host).post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]})
    on_a = api(alpha.host).post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]})

    assert on_b.status_code == 401
    assert on_b.json()["code"] == "token_wrong_tenant"
    assert on_a.status_code == 200
    assert on_a.json()["access"]


def test_refresh_stops_working_once_the_membership_is_gone(api, alpha):
    tokens = signup(api, alpha.host, "ada@example.test").json()
    Membership.objects.filter(user__email="ada@example.test").delete()

    response = api(alpha.host).post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]})

    assert response.status_code == 401
    assert response.json()["code"] == "not_a_member"


def test_an_operator_token_is_refused_on_a_marketplace(api, alpha, platform_host):
    operator = UserFactory(is_staff=True)
    membership_grant(user=operator, tenant=alpha.tenant, role=Role.ADMIN)
    client = api(alpha.host, operator, issuer=Tenant.objects.get(schema_name="public"))

    assert client.get("/api/v1/me").status_code == 401


def test_me_shows_only_this_marketplaces_membership(api, alpha, bravo, make_member):
    membership = make_member(alpha.tenant, Role.HOST)
    membership_grant(user=membership.user, tenant=bravo.tenant, role=Role.ADMIN)

    on_alpha = api(alpha.host, membership.user).get("/api/v1/me").json()
    on_bravo = api(bravo.host, membership.user).get("/api/v1/me").json()

    assert on_alpha["membership"]["role"] == "host"
    assert on_bravo["membership"]["role"] == "admin"
    assert "bravo" not in str(on_alpha)


def test_non_members_and_anonymous_callers_are_refused_me(api, alpha, bravo, make_member):
    outsider = make_member(bravo.tenant).user

    assert api(alpha.host).get("/api/v1/me").status_code == 401
    response = api(alpha.host, outsider, issuer=alpha.tenant).get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_me_profile_can_be_edited(api, alpha, make_member):
    user = make_member(alpha.tenant).user
    client = api(alpha.host, user)

    response = client.patch(
        "/api/v1/me", {"first_name": "Grace", "phone": "+44 20 7946 0958"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["first_name"] == "Grace"
    user.refresh_from_db()
    assert user.phone == "+44 20 7946 0958"


def test_me_rejects_a_bad_phone_naming_the_field(api, alpha, make_member):
    client = api(alpha.host, make_member(alpha.tenant).user)

    response = client.patch("/api/v1/me", {"phone": "call me maybe"}, format="json")

    assert response.status_code == 400
    assert "phone" in response.json()["fields"]


def test_a_guest_becomes_a_host_on_one_marketplace_only(api, alpha, bravo, make_member):
    membership = make_member(alpha.tenant)
    membership_grant(user=membership.user, tenant=bravo.tenant, role=Role.GUEST)

    response = api(alpha.host, membership.user).post("/api/v1/me/host")

    assert response.status_code == 200
    assert response.json()["membership"]["role"] == "host"
    roles = dict(membership.user.memberships.values_list("tenant__schema_name", "role"))
    assert roles == {"alpha": "host", "bravo": "guest"}


def test_admin_sees_only_the_members_of_their_marketplace(api, alpha, bravo, make_member):
    alpha_guest = make_member(alpha.tenant)
    bravo_guest = make_member(bravo.tenant)

    response = api(alpha.host, alpha.admin).get("/api/v1/members")

    assert response.status_code == 200
    emails = {row["user"]["email"] for row in response.json()["results"]}
    assert emails == {alpha.admin.email, alpha_guest.user.email}
    assert bravo_guest.user.email not in emails
    # and a member of bravo is not reachable by id from alpha
    missing = api(alpha.host, alpha.admin).get(f"/api/v1/members/{bravo_guest.user.id}")
    assert missing.status_code == 404


def test_members_filter_by_role_and_search(api, alpha, make_member):
    make_member(alpha.tenant, Role.HOST, first_name="Hosting")
    make_member(alpha.tenant, Role.GUEST, first_name="Visiting")
    client = api(alpha.host, alpha.admin)

    hosts = client.get("/api/v1/members", {"role": "host"}).json()["results"]
    found = client.get("/api/v1/members", {"search": "visit"}).json()["results"]

    assert [m["user"]["first_name"] for m in hosts] == ["Hosting"]
    assert [m["user"]["first_name"] for m in found] == ["Visiting"]


def test_members_endpoint_is_for_admins_only(api, alpha, make_member):
    host = make_member(alpha.tenant, Role.HOST).user

    assert api(alpha.host).get("/api/v1/members").status_code == 401
    assert api(alpha.host, host).get("/api/v1/members").status_code == 403


def test_admin_changes_a_members_role(api, alpha, make_member):
    member = make_member(alpha.tenant)

    response = api(alpha.host, alpha.admin).patch(
        f"/api/v1/members/{member.user.id}", {"role": "admin"}, format="json"
    )

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.role == Role.ADMIN


def test_the_last_admin_cannot_be_demoted(api, alpha):
    response = api(alpha.host, alpha.admin).patch(
        f"/api/v1/members/{alpha.admin.id}", {"role": "guest"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "last_admin"
    assert alpha.admin.memberships.get(tenant=alpha.tenant).role == Role.ADMIN


def test_an_unknown_role_is_a_400(api, alpha, make_member):
    member = make_member(alpha.tenant)

    response = api(alpha.host, alpha.admin).patch(
        f"/api/v1/members/{member.user.id}", {"role": "owner"}, format="json"
    )

    assert response.status_code == 400
    assert "role" in response.json()["fields"]


def test_login_is_throttled_with_retry_after(api, alpha, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    client = api(alpha.host)
    payload = {"email": "nobody@example.test", "password": "x" * 12}

    statuses = [
        client.post(TOKEN, payload, REMOTE_ADDR="203.0.113.9").status_code for _ in range(4)
    ]
    throttled = client.post(TOKEN, payload, REMOTE_ADDR="203.0.113.9")

    assert statuses == [401, 401, 401, 429]
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
