"""Finding the Chromium the browser tests drive (Debian's package: Playwright's own browser
download is not reachable from every machine), shared by the conftest and `make test`."""

from __future__ import annotations

import os
import shutil
import sys

from tests.support.debian_tools import apt_install

CANDIDATES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
# Headless and quiet: no first-run UI, no calls home, nothing fetched in the background,
# and every *.localhost name sent to the loopback live server.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP *.localhost 127.0.0.1",
]
NOT_RUN = (
    "BROWSER TESTS NOT RUN: no Chromium found (set CHROMIUM_PATH, or install Debian's "
    "`chromium` package: sudo apt-get install chromium)."
)


def find_chromium() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.path.exists(configured) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def ensure_chromium() -> str | None:
    """Chromium's path; installs Debian's package first when it is missing and we can (root
    with apt-get). None, after saying so, when browser tests can't run here."""
    found = find_chromium()
    if found is None:
        apt_install("chromium")
        found = find_chromium()
    if found:
        print(f"Browser tests use {found}")  # noqa: T201
        return found
    print(f"\n*** {NOT_RUN} ***\n", file=sys.stderr)  # noqa: T201
    return None


if __name__ == "__main__":
    # A missing browser is reported, never a failure here (the test run then skips the
    # browser tests, or fails them when REQUIRE_BROWSER_TESTS=1). `make test` runs this
    # through tests.support.debian_tools, with promtool.
    ensure_chromium()
