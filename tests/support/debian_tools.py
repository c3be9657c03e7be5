"""The Debian programs some tests drive, installed by `make test` when missing: Chromium
for the browser tests, promtool (package `prometheus`) for the alert rules' own checks.
Installed only when we are root with apt-get; otherwise the run says what is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def apt_install(package: str) -> None:
    """Installs a Debian package quietly, without its recommendations (the `prometheus`
    package's service is never started: we only want its promtool)."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        return
    print(f"{package} is missing: installing Debian's package…")  # noqa: T201
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)  # noqa: S607
    subprocess.run(  # noqa: S603
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],  # noqa: S607
        check=False,
        env=env,
    )


def ensure_promtool() -> str | None:
    found = shutil.which("promtool")
    if found is None:
        apt_install("prometheus")
        found = shutil.which("promtool")
    if found is None:
        missing = "promtool not found: the alert rules' promtool check is skipped"
        print(missing, file=sys.stderr)  # noqa: T201
    return found


if __name__ == "__main__":
    # `make test` runs this first; a missing tool is reported, never a failure here.
    from tests.browser.chromium import ensure_chromium

    ensure_chromium()
    ensure_promtool()
