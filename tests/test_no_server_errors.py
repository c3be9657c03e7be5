"""Bad input gets a 4xx, never a 500: every write endpoint fed values of the wrong type,
size and content, field by field."""

from __future__ import annotations

import itertools

import pytest

from shared_apps.accounts.tests.factories import UserFactory

WEIRD_VALUES = [
    None, 0, -1, 10**20, 1.5, True, "", " ", "x" * 5000, [], {}, ["a"], {"a": 1},
    "\x00", "ü" * 10, "1' OR '1'='1",
]  # fmt: skip

MARKETPLACE_POSTS = {
    "/api/v1/auth/signup": ["email", "password", "first_name", "last_name"],
    "/api/v1/auth/token": ["email", "password"],
    "/api/v1/auth/token/refresh": ["refresh"],
    "/api/v1/auth/password/reset": ["email"],
    "/api/v1/auth/password/set": ["uid", "token", "password"],
}
PROVISION_FIELDS = [
    "name", "slug", "admin_email", "domains", "primary_color", "accent_color", "currency",
    "timezone", "logo_url", "support_email", "display_name",
]  # fmt: skip
TENANT_PATCH_FIELDS = [
    "add_domains", "remove_domains", "primary_domain", "name", "currency", "timezone",
]  # fmt: skip


@pytest.fixture
def server_errors():
    errors: list[tuple] = []

    def check(response, *context) -> None:
        if response.status_code >= 500:
            errors.append((*context, response.status_code))

    check.errors = errors
    return check


def _client(api, *args, **kwargs):
    client = api(*args, **kwargs)
    client.raise_request_exception = False  # a crash must show as a 500, not stop the loop
    return client


def test_marketplace_endpoints_never_answer_500(api, alpha, make_member, server_errors):
    anonymous = _client(api, alpha.host)
    admin = _client(api, alpha.host, alpha.admin)
    member = make_member(alpha.tenant)
    for (path, fields), value in itertools.product(MARKETPLACE_POSTS.items(), WEIRD_VALUES):
        for field in fields:
            body = {"email": "a@b.test", "password": "pw-long-enough-1", field: value}
            server_errors(anonymous.post(path, body), path, field, value)
    for field, value in itertools.product(
        ["display_name", "logo_url", "primary_color"], WEIRD_VALUES
    ):
        server_errors(admin.patch("/api/v1/branding", {field: value}), "branding", field, value)
    for field, value in itertools.product(["first_name", "phone", "avatar_url"], WEIRD_VALUES):
        server_errors(admin.patch("/api/v1/me", {field: value}), "me", field, value)
    for value in WEIRD_VALUES:
        response = admin.patch(f"/api/v1/members/{member.user.id}", {"role": value})
        server_errors(response, "member role", value)
    for query in [{"role": "x" * 300}, {"search": "\x00"}, {"cursor": "junk"}, {"page_size": "-5"}]:
        server_errors(admin.get("/api/v1/members", query), "members", query)

    assert server_errors.errors == []


def test_operator_endpoints_never_answer_500(api, platform_host, alpha, server_errors):
    operator = _client(api, platform_host, UserFactory(is_staff=True))
    tenants = "/api/v1/platform/tenants"
    for field, value in itertools.product(PROVISION_FIELDS, WEIRD_VALUES):
        body = {"name": "N", "slug": "fuzzy", "admin_email": "o@f.test", field: value}
        server_errors(operator.post(tenants, body), "provision", field, value)
    for field, value in itertools.product(TENANT_PATCH_FIELDS, WEIRD_VALUES):
        server_errors(operator.patch(f"{tenants}/alpha", {field: value}), "patch", field, value)
    for value in WEIRD_VALUES:
        server_errors(operator.post(f"{tenants}/alpha/suspend", {"reason": value}), "suspend")
        server_errors(operator.delete(f"{tenants}/alpha", {"confirm_slug": value}), "delete")
    for query in [{"status": "\x00"}, {"search": "\x00"}, {"cursor": "zzz"}]:
        server_errors(operator.get(tenants, query), "list", query)
    for path in [f"{tenants}/%00", f"{tenants}/{'a' * 500}"]:
        server_errors(operator.get(path), path)

    assert server_errors.errors == []


def test_review_endpoints_and_graphql_never_fail_on_bad_input(
    api, gql, alpha, make_member, server_errors
):
    from shared_apps.accounts.constants import Role
    from tenant_apps.bookings.tests.factories import stay_factory
    from tenant_apps.listings.tests.factories import listing_factory
    from tenant_apps.reviews.tests.factories import review_factory

    host = make_member(alpha.tenant, Role.HOST).user
    guest = make_member(alpha.tenant).user
    listing = listing_factory(alpha.tenant, host)
    stay = stay_factory(alpha.tenant, guest, listing)
    reviewer = make_member(alpha.tenant).user
    review = review_factory(alpha.tenant, stay_factory(alpha.tenant, reviewer, listing))
    as_guest = _client(api, alpha.host, guest)
    as_host = _client(api, alpha.host, host)
    as_admin = _client(api, alpha.host, alpha.admin)
    for field, value in itertools.product(
        ["rating", "cleanliness", "accuracy", "location", "value", "comment"], WEIRD_VALUES
    ):
        body = {"rating": 4, "comment": "Fine place to stay.", field: value}
        path = f"/api/v1/bookings/{stay.id}/review"
        server_errors(as_guest.post(path, body), "review", field, value)
    for value in WEIRD_VALUES:
        reply = as_host.post(f"/api/v1/reviews/{review.id}/reply", {"reply": value})
        server_errors(reply, "reply", value)
        hide = as_admin.post(f"/api/v1/reviews/{review.id}/hide", {"reason": value})
        server_errors(hide, "hide", value)
    for query in [{"cursor": "junk"}, {"page_size": "-5"}, {"page_size": "x" * 300}]:
        path = f"/api/v1/properties/{listing.id}/reviews"
        server_errors(as_guest.get(path, query), "reviews", query)

    run = gql(alpha.host, guest)
    operations = {
        "search": "query($v: String, $d: Decimal) { properties(city: $v, priceMin: $d, "
        "after: $v) { items { id } } }",
        "review": "mutation($v: String) { createReview(bookingId: "
        f'"{stay.id}", input: {{rating: 3, comment: $v}}) {{ errors {{ code }} }} }}',
        "calendar": f'query($v: String!) {{ property(id: "{listing.id}") {{ calendar(month: $v)'
        " { date } } }",
    }
    for (name, query), value in itertools.product(operations.items(), WEIRD_VALUES):
        for variables in ({"v": value}, {"v": value, "d": value}):
            status, body = run(query, variables)
            codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
            if status >= 500 or "server_error" in codes:
                server_errors.errors.append((name, value, status, body))

    assert server_errors.errors == []


PAYMENT_SETTINGS_FIELDS = [
    "provider", "publishable_key", "secret_key", "webhook_secret", "currency",
    "offline_instructions",
]  # fmt: skip


def test_payment_endpoints_never_answer_500(api, alpha, bravo, make_member, server_errors):
    from django_tenants.utils import tenant_context

    from tenant_apps.payments.services import payment_settings_update

    admin = _client(api, alpha.host, alpha.admin)
    host = _client(api, alpha.host, make_member(alpha.tenant, "host").user)
    anonymous = _client(api, alpha.host)
    booking = "/api/v1/bookings/00000000-0000-0000-0000-000000000000"
    for field, value in itertools.product(PAYMENT_SETTINGS_FIELDS, WEIRD_VALUES):
        body = {"provider": "stripe", field: value}
        server_errors(admin.put("/api/v1/payment-settings", body, format="json"), field, value)
    for field, value in itertools.product(["method", "reference", "note"], WEIRD_VALUES):
        response = admin.post(f"{booking}/mark-paid", {field: value}, format="json")
        server_errors(response, "mark-paid", field, value)
    server_errors(admin.post(f"{booking}/payments"), "pay a missing booking")
    for query in [{"from": "\x00"}, {"to": "2024-13-40"}, {"cursor": "junk"}]:
        server_errors(host.get("/api/v1/payouts", query), "payouts", query)
    # Webhooks: Stripe on alpha (keys of the right shape; nothing is called), Paystack on bravo.
    with tenant_context(alpha.tenant):
        payment_settings_update(
            provider="stripe", secret_key="sk_test_" + "a" * 24,
            publishable_key="pk_test_" + "a" * 24, webhook_secret="whsec_" + "a" * 24,
        )  # fmt: skip
    with tenant_context(bravo.tenant):
        payment_settings_update(
            provider="paystack", secret_key="sk_test_" + "b" * 40,
            publishable_key="pk_test_" + "b" * 40, currency="USD",
        )  # fmt: skip
    bodies = [b"", b"\x00\xff", b"{", b"[]", b'{"type": 1}', b"x" * 100_000]
    headers = [{}, {"HTTP_STRIPE_SIGNATURE": "t=1,v1=00"}, {"HTTP_X_PAYSTACK_SIGNATURE": "00"}]
    for market, provider in ((alpha, "stripe"), (bravo, "paystack"), (alpha, "x" * 300)):
        client = _client(api, market.host)
        for body, extra in itertools.product(bodies, headers):
            response = client.post(
                f"/api/v1/payments/webhooks/{provider}", data=body,
                content_type="application/json", **extra,
            )  # fmt: skip
            server_errors(response, "webhook", provider, body[:20], extra)
    server_errors(anonymous.get("/api/v1/payment-settings"), "settings, anonymous")

    assert server_errors.errors == []
