"""Browser test harness: Playwright driving Debian's Chromium against a live server that
serves every marketplace host (alpine.localhost:<port>, coastal.localhost:<port>, …).

The live server runs in a thread with its own database connections, so it only sees
committed rows: the demo marketplaces are seeded for real (`seed_demo`, as `make run` does)
once for the package and deleted afterwards, so no other test sees them. Tests read pages;
a test that writes cleans up after itself.

Every test here carries the `browser` marker. Without a Chromium on the machine they are
skipped with a clear reason, unless REQUIRE_BROWSER_TESTS=1 (CI) turns that into a failure."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connections
from django.test.testcases import LiveServerThread

from tests.browser.chromium import LAUNCH_ARGS, NOT_RUN, find_chromium

BROWSER_DIR = Path(__file__).parent
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
# axe-core impacts that fail a test; "moderate" and "minor" are reported, not failed.
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    chromium = find_chromium()
    required = os.environ.get("REQUIRE_BROWSER_TESTS") == "1"
    for item in items:
        if BROWSER_DIR not in Path(item.path).parents:
            continue
        item.add_marker(pytest.mark.browser)
        # pytest-django sets up the test database only for tests that use it. The test's
        # own reads run in its (rolled back) transaction; the server sees committed rows.
        item.add_marker(pytest.mark.django_db)
        if chromium is None and not required:
            item.add_marker(pytest.mark.skip(reason=NOT_RUN))


def pytest_terminal_summary(terminalreporter):
    if find_chromium() is None:
        terminalreporter.write_line(f"\n*** {NOT_RUN} ***", red=True, bold=True)


@pytest.fixture(scope="package", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API keeps an asyncio loop in the main thread; Django would then
    refuse ORM calls from the test body as "async context". Tests never share a connection
    with the loop, so this is safe here, for this package only (a leftover variable would
    reach other tests' subprocesses, and `check --deploy` refuses it)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# --- The live server --------------------------------------------------------------------


@pytest.fixture(scope="package")
def storefront_server(marketplaces) -> Iterator[LiveServerThread]:
    """One threaded server for the package, on a free port of 127.0.0.1. It serves /static/
    and /media/ too (DEBUG is off in tests, so the URLconf doesn't)."""
    # Each request closes its database connection (no persistent ones): browsers keep HTTP
    # connections alive, and a server thread waiting on one must not hold a database
    # session when the test database is dropped.
    db_settings = connections.settings["default"]
    conn_max_age, db_settings["CONN_MAX_AGE"] = db_settings["CONN_MAX_AGE"], 0
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    yield server
    server.terminate()
    db_settings["CONN_MAX_AGE"] = conn_max_age


@dataclass(frozen=True)
class Storefront:
    """One marketplace as a browser reaches it."""

    slug: str
    name: str
    host: str
    base_url: str
    tenant: object

    def url(self, path: str = "/") -> str:
        return f"{self.base_url}{path}"


@pytest.fixture(scope="package")
def demo(storefront_server, marketplaces, django_db_blocker) -> Iterator[dict[str, Storefront]]:
    """The two demo marketplaces (alpine, coastal) with their listings, photos and reviews,
    committed, keyed by slug."""
    from shared_apps.accounts.models import Membership, User
    from shared_apps.tenants.models import Tenant
    from shared_apps.tenants.services import tenant_delete
    from tenant_apps.storefront.demo import MARKETPLACES, seed_demo

    stores: dict[str, Storefront] = {}
    users_before: set = set()
    # Links the server builds (canonical URLs, the demo logos) point at this live server.
    url_template = settings.MARKETPLACE_URL_TEMPLATE
    settings.MARKETPLACE_URL_TEMPLATE = f"http://{{domain}}:{storefront_server.port}"
    try:
        with django_db_blocker.unblock():
            users_before = set(User.objects.values_list("pk", flat=True))
            seed_demo()
            for spec in MARKETPLACES:
                tenant = Tenant.objects.get(schema_name=spec["slug"])
                host = f"{spec['slug']}.{settings.PLATFORM_DOMAIN}"
                base_url = f"http://{host}:{storefront_server.port}"
                stores[spec["slug"]] = Storefront(
                    spec["slug"], tenant.brand_name, host, base_url, tenant
                )
        yield stores
    finally:
        settings.MARKETPLACE_URL_TEMPLATE = url_template
        with django_db_blocker.unblock():
            for tenant in Tenant.objects.filter(schema_name__in=[s["slug"] for s in MARKETPLACES]):
                tenant_delete(tenant=tenant, confirm_slug=tenant.schema_name, archive=False)
            # The demo's identities, without the ORM's cascade (it would look for listings
            # in the public schema); their memberships went with the marketplaces.
            Membership.objects.exclude(user_id__in=users_before).delete()
            User.objects.exclude(pk__in=users_before)._raw_delete(User.objects.db)
        # Playwright's sync API runs code in greenlets, where Django's connection handler (a
        # context-local) may have opened a connection of its own: close it, or the test
        # database can't be dropped at the end of the run.
        connections.close_all()


# --- The browser ------------------------------------------------------------------------


@pytest.fixture(scope="package")
def chromium_browser(storefront_server):
    # Depends on the server so that it closes first: open keep-alive connections would
    # otherwise hold server threads (and their database sessions) past the run.
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        pytest.fail(NOT_RUN)  # only reached with REQUIRE_BROWSER_TESTS=1
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser):
    """A fresh browser context per test (no cookies carried over), failing on any
    JavaScript error or Content-Security-Policy violation the page reports."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    tab.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield tab
    context.close()
    assert not problems, "\n".join(problems)


# --- Checks and artefacts ----------------------------------------------------------------


def assert_accessible(page, *, label: str = "") -> None:
    """axe-core over the page as it is now: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    report = "\n".join(
        f"- [{v['impact']}] {v['id']}: {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in blocking
    )
    assert not blocking, f"axe-core violations on {label or page.url}:\n{report}"


def screenshot(page, store: Storefront, name: str) -> Path:
    """Saves a full-page PNG as test-artifacts/screenshots/<marketplace>-<page>.png (git-
    ignored) for a person to look at."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^a-z0-9-]+", "-", name.lower())
    path = SCREENSHOT_DIR / f"{store.slug}-{safe}.png"
    # caret="initial": hiding the caret would inject a <style>, which the page's CSP refuses.
    page.screenshot(path=str(path), full_page=True, caret="initial")
    return path


def computed_style(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(
        selector, "(el, prop) => getComputedStyle(el).getPropertyValue(prop)", prop
    )
