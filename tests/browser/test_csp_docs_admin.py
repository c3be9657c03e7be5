"""Swagger UI and the Django admin under the project's Content-Security-Policy, in Chromium:
they render, and the browser reports no violation at all (the `page` fixture fails on a
console CSP error; here every `securitypolicyviolation` event is collected too, so a blocked
style or image counts as much as a blocked script)."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from playwright.sync_api import expect

from shared_apps.accounts.tests.factories import PASSWORD
from tests.support.concurrency import committed

# Unlike anything in the address (the password validators compare it with the email).
OPERATOR_PASSWORD = "violet-lantern-orbit-9311"
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`
  );
});
"""


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


@pytest.fixture
def watched(page):
    page.add_init_script(COLLECT_VIOLATIONS)
    return page


@pytest.fixture
def operator():
    """A committed staff identity for the platform host's admin, removed afterwards."""
    from shared_apps.accounts.models import User
    from shared_apps.accounts.services import user_create

    email = f"{uuid.uuid4().hex[:8]}@ops.example"
    user = committed(lambda: user_create(email=email, password=OPERATOR_PASSWORD, is_staff=True))
    yield user
    committed(lambda: User.objects.filter(pk=user.pk)._raw_delete(User.objects.db))


def _base(host: str, server) -> str:
    return f"http://{host}:{server.port}"


@pytest.mark.parametrize("on", ["marketplace", "platform"])
def test_swagger_ui_renders_the_api_with_no_csp_violation(
    watched, storefront_server, marketplaces, on
):
    host = marketplaces["alpha"].host if on == "marketplace" else settings.PLATFORM_DOMAIN

    watched.goto(f"{_base(host, storefront_server)}/api/docs/")

    # The operations list is drawn by Swagger UI's script from the fetched schema.
    expect(watched.locator(".swagger-ui .opblock").first).to_be_visible(timeout=30_000)
    expect(watched.locator(".swagger-ui .info .title")).to_contain_text("Rental platform")
    watched.locator(".swagger-ui .opblock-summary").first.click()
    expect(watched.locator(".swagger-ui .opblock-body").first).to_be_visible()
    assert _violations(watched) == []


def test_the_marketplace_admin_logs_in_and_works_with_no_csp_violation(
    watched, storefront_server, marketplaces
):
    market = marketplaces["alpha"]
    base = _base(market.host, storefront_server)

    watched.goto(f"{base}/admin/login/")
    watched.fill("#id_username", market.admin.email)
    watched.fill("#id_password", PASSWORD)
    watched.click("input[type=submit]")
    expect(watched.locator("#site-name")).to_be_visible()
    watched.goto(f"{base}/admin/accounts/membership/")
    expect(watched.locator("#result_list")).to_be_visible()
    watched.locator("#result_list tbody th a").first.click()
    expect(watched.locator("form")).not_to_have_count(0)

    assert "/login/" not in watched.url
    assert _violations(watched) == []


def test_the_platform_admin_logs_in_and_works_with_no_csp_violation(
    watched, storefront_server, marketplaces, operator
):
    base = _base(settings.PLATFORM_DOMAIN, storefront_server)

    watched.goto(f"{base}/admin/login/")
    watched.fill("#id_username", operator.email)
    watched.fill("#id_password", OPERATOR_PASSWORD)
    watched.click("input[type=submit]")
    expect(watched.locator("#site-name")).to_be_visible()
    watched.goto(f"{base}/admin/tenants/tenant/")
    expect(watched.locator("#result_list")).to_contain_text("alpha")
    watched.locator("#result_list tbody th a").first.click()
    expect(watched.locator("#tenant_form")).to_be_visible()

    assert _violations(watched) == []
