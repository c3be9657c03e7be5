"""Finding the Chromium the browser tests drive (Debian's package: Playwright's own browser
download is not reachable from every machine), shared by the conftest and `make test`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

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
    if found:
        print(f"Browser tests use {found}")  # noqa: T201
        return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("Chromium is missing: installing Debian's chromium package…")  # noqa: T201
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)  # noqa: S607
        subprocess.run(  # noqa: S603
            ["apt-get", "install", "-y", "-qq", "chromium"],  # noqa: S607
            check=False,
            env=env,
        )
        found = find_chromium()
        if found:
            print(f"Browser tests use {found}")  # noqa: T201
            return found
    print(f"\n*** {NOT_RUN} ***\n", file=sys.stderr)  # noqa: T201
    return None


if __name__ == "__main__":
    # `make test` runs this first; a missing browser is reported, never a failure here (the
    # test run then skips the browser tests, or fails them when REQUIRE_BROWSER_TESTS=1).
    ensure_chromium()
