"""The operator's API on the platform host."""

import pytest
from django_tenants.utils import schema_exists

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import Membership
from shared_apps.accounts.tests.factories import UserFactory
from shared_apps.tenants.models import Domain, Tenant

TENANTS = "/api/v1/platform/tenants"


@pytest.fixture
def operator(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def ops(api, platform_host, operator, marketplaces):
    return api(platform_host, operator)


def provision(ops, **overrides):
    payload = {"name": "Coastal Cabins", "slug": "coastal", "admin_email": "owner@coastal.test"}
    return ops.post(TENANTS, {**payload, **overrides}, format="json")


def test_operator_api_refuses_anonymous_and_non_staff(api, platform_host, marketplaces, db):
    person = UserFactory()

    assert api(platform_host).get(TENANTS).status_code == 401
    response = api(platform_host, person).get(TENANTS)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert provision(api(platform_host, person)).status_code == 403
    assert not Tenant.objects.filter(schema_name="coastal").exists()


def test_non_staff_cannot_even_log_in_on_the_platform_host(api, platform_host, alpha):
    from shared_apps.accounts.tests.factories import PASSWORD

    response = api(platform_host).post(
        "/api/v1/auth/token", {"email": alpha.admin.email, "password": PASSWORD}
    )

    # The right password of an identity that is not staff reads as a wrong password.
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_operator_logs_in_with_email_and_password(api, platform_host, operator, marketplaces):
    from shared_apps.accounts.tests.factories import PASSWORD

    tokens = (
        api(platform_host)
        .post("/api/v1/auth/token", {"email": operator.email, "password": PASSWORD})
        .json()
    )
    client = api(platform_host)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    assert client.get(TENANTS).status_code == 200


def test_a_marketplace_admins_token_is_refused_by_the_operator_api(api, platform_host, alpha):
    client = api(platform_host, alpha.admin, issuer=alpha.tenant)

    assert client.get(TENANTS).status_code == 401


def test_provisioning_creates_a_reachable_marketplace_with_an_invited_admin(
    ops, api, mailoutbox, django_capture_on_commit_callbacks, eager_tasks
):
    # When the operator provisions a marketplace with a custom domain and branding
    with django_capture_on_commit_callbacks(execute=True):
        response = provision(
            ops,
            domains=["Book.Coastal.test"],
            display_name="Coastal Cabins & Co",
            primary_color="#112233",
            currency="eur",
            timezone="Europe/Lisbon",
        )

    # Then it exists with its schema, subdomain and custom domain
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["tenant"]["slug"] == "coastal"
    assert body["tenant"]["currency"] == "EUR"
    assert body["tenant"]["primary_domain"] == "coastal.localhost"
    assert {d["domain"] for d in body["tenant"]["domains"]} == {
        "coastal.localhost",
        "book.coastal.test",
    }
    assert schema_exists("coastal")
    # its first admin is a new identity, emailed a link to set a password
    assert body["admin"] == {
        "id": body["admin"]["id"],
        "email": "owner@coastal.test",
        "invited": True,
    }
    assert Membership.objects.get(user__email="owner@coastal.test").role == Role.ADMIN
    assert len(mailoutbox) == 1
    assert "http://coastal.localhost:8000/accounts/set-password/" in mailoutbox[0].body
    # and both of its hosts serve it
    for host in ("coastal.localhost", "book.coastal.test"):
        branding = api(host).get("/api/v1/branding").json()
        assert branding["display_name"] == "Coastal Cabins & Co"


def test_provisioning_with_an_existing_identity_sends_no_invite(
    ops, alpha, mailoutbox, django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = provision(ops, admin_email=alpha.admin.email.upper())

    assert response.status_code == 201
    assert response.json()["admin"]["invited"] is False
    assert response.json()["admin"]["id"] == str(alpha.admin.id)
    assert mailoutbox == []


def test_the_invited_admin_sets_a_password_then_logs_in(
    ops, api, mailoutbox, django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        provision(ops)
    uid, token = mailoutbox[0].body.split("/accounts/set-password/")[1].split("/")[:2]
    client = api("coastal.localhost")
    new_password = "tide-pools-at-dawn-2026"

    response = client.post(
        "/api/v1/auth/password/set", {"uid": uid, "token": token, "password": new_password}
    )
    reused = client.post(
        "/api/v1/auth/password/set", {"uid": uid, "token": token, "password": new_password}
    )
    login = client.post(
        "/api/v1/auth/token", {"email": "owner@coastal.test", "password": new_password}
    )

    assert response.status_code == 204
    assert reused.status_code == 400
    assert reused.json()["code"] == "invalid_token"
    assert login.status_code == 200


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("Coastal", "invalid_slug"),
        ("co", "invalid_slug"),
        ("coastal_cabins", "invalid_slug"),
        ("-coastal", "invalid_slug"),
        ("coastal-", "invalid_slug"),
        ("9lives", "invalid_slug"),
        ("www", "reserved_slug"),
        ("public", "reserved_slug"),
        ("admin", "reserved_slug"),
        ("api", "reserved_slug"),
    ],
)
def test_bad_slugs_are_a_400_naming_the_rule(ops, slug, code):
    tenants_before = Tenant.objects.count()

    response = provision(ops, slug=slug)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert "slug" in response.json()["fields"]
    assert Tenant.objects.count() == tenants_before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("primary_color", "blue"),
        ("currency", "XXX1"),
        ("timezone", "Mars/Olympus"),
        ("domains", ["http://coastal.test/path"]),
        ("domains", ["other.localhost"]),
        ("admin_email", "not-an-email"),
    ],
)
def test_bad_provisioning_input_is_a_400_and_creates_nothing(ops, field, value):
    response = provision(ops, **{field: value})

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Tenant.objects.filter(schema_name="coastal").exists()
    assert not schema_exists("coastal")


def test_duplicate_slug_is_a_409(ops, alpha):
    response = provision(ops, slug="alpha")

    assert response.status_code == 409
    assert response.json()["code"] == "slug_taken"


def test_duplicate_custom_domain_is_a_409_and_creates_nothing(ops, alpha):
    response = provision(ops, domains=["stays.alpha.test"])

    assert response.status_code == 409
    assert response.json()["code"] == "domain_taken"
    assert not Tenant.objects.filter(schema_name="coastal").exists()


def test_list_and_detail_show_marketplaces_but_not_the_platform(ops, alpha, bravo):
    listing = ops.get(TENANTS).json()
    detail = ops.get(f"{TENANTS}/alpha").json()

    assert {t["slug"] for t in listing["results"]} == {"alpha", "bravo"}
    assert detail["branding"]["display_name"] == "Alpha Mountain Stays"
    assert detail["member_count"] == 1
    assert ops.get(f"{TENANTS}/public").status_code == 404
    assert ops.get(f"{TENANTS}/nope").status_code == 404


def test_list_filters_by_status(ops, alpha, bravo):
    ops.post(f"{TENANTS}/bravo/suspend")

    suspended = ops.get(TENANTS, {"status": "suspended"}).json()["results"]

    assert [t["slug"] for t in suspended] == ["bravo"]


def test_rebrand_and_manage_domains_in_one_patch(ops, api, alpha):
    response = ops.patch(
        f"{TENANTS}/alpha",
        {
            "display_name": "Alpha Alps",
            "accent_color": "#ABCDEF",
            "add_domains": ["alps.example.test"],
            "remove_domains": ["stays.alpha.test"],
            "primary_domain": "alps.example.test",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["branding"]["accent_color"] == "#abcdef"
    assert body["primary_domain"] == "alps.example.test"
    assert api("alps.example.test").get("/api/v1/branding").json()["display_name"] == "Alpha Alps"
    assert api("stays.alpha.test").get("/api/v1/branding").status_code == 404


def test_a_failing_patch_changes_nothing(ops, alpha, bravo):
    response = ops.patch(
        f"{TENANTS}/alpha",
        {"display_name": "Changed", "add_domains": ["new.alpha.test", "bravo.localhost"]},
        format="json",
    )

    assert response.status_code in (400, 409)
    alpha.tenant.refresh_from_db()
    assert alpha.tenant.display_name == "Alpha Mountain Stays"
    assert not Domain.objects.filter(domain="new.alpha.test").exists()


def test_the_platform_subdomain_cannot_be_removed(ops, alpha):
    response = ops.patch(f"{TENANTS}/alpha", {"remove_domains": ["alpha.localhost"]}, format="json")

    assert response.status_code == 409
    assert Domain.objects.filter(domain="alpha.localhost").exists()


def test_suspend_and_resume(ops, api, alpha):
    suspended = ops.post(f"{TENANTS}/alpha/suspend", {"reason": "chargebacks"})
    again = ops.post(f"{TENANTS}/alpha/suspend")
    blocked = api(alpha.host).get("/api/v1/branding").status_code
    resumed = ops.post(f"{TENANTS}/alpha/resume")

    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["suspended_reason"] == "chargebacks"
    assert again.status_code == 409
    assert blocked == 503
    assert resumed.json()["status"] == "active"
    assert api(alpha.host).get("/api/v1/branding").status_code == 200


def test_delete_needs_the_slug_repeated(ops, alpha):
    missing = ops.delete(f"{TENANTS}/alpha", {}, format="json")
    wrong = ops.delete(f"{TENANTS}/alpha", {"confirm_slug": "bravo"}, format="json")

    assert missing.status_code == 400
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "confirmation_mismatch"
    assert schema_exists("alpha")


def test_delete_drops_the_schema_domains_and_memberships(ops, api, alpha, bravo):
    response = ops.delete(
        f"{TENANTS}/alpha", {"confirm_slug": "alpha", "archive": False}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"slug": "alpha", "archive": None}
    assert not schema_exists("alpha")
    assert not Domain.objects.filter(domain__in=["alpha.localhost", "stays.alpha.test"]).exists()
    assert not Membership.objects.filter(tenant_id=alpha.tenant.id).exists()
    assert api(alpha.host).get("/api/v1/branding").status_code == 404
    assert api(bravo.host).get("/api/v1/branding").status_code == 200


def test_list_searches_names_and_slugs(ops, alpha, bravo):
    by_name = ops.get(TENANTS, {"search": "BRAVO st"}).json()["results"]
    by_slug = ops.get(TENANTS, {"search": "alp"}).json()["results"]

    assert [t["slug"] for t in by_name] == ["bravo"]
    assert [t["slug"] for t in by_slug] == ["alpha"]


def test_an_unknown_status_filter_is_a_400_listing_the_choices(ops):
    response = ops.get(TENANTS, {"status": "deleted"})

    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_nul_characters_in_the_address_are_a_400(ops):
    assert ops.get(TENANTS, {"search": "a\x00b"}).status_code == 400
    assert ops.get(f"{TENANTS}/alpha%00").status_code in (400, 404)
