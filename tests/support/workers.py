"""Real Celery worker processes for the tests, on the test database and this run's Redis
prefix."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _detach_and_die_with_parent() -> None:
    """In the child: its own session (so a kill reaches the pool too), and SIGKILL when the
    test process dies, so an interrupted run never leaves a worker holding the test DB."""
    os.setsid()
    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def worker_env() -> dict[str, str]:
    """The environment of a child process that must see what this test run sees."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        "CELERY_KEY_PREFIX": settings.CELERY_KEY_PREFIX,
    }


class Worker:
    def __init__(
        self, name: str, *extra: str, log_dir: Path, env: dict[str, str] | None = None
    ) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        env = {**worker_env(), **(env or {})}
        command = [
            sys.executable, "manage.py", "run_worker", "--concurrency=2", "--loglevel=INFO",
            f"--hostname={name}@%h", "--include=shared_apps.core.tests.worker_tasks", *extra,
        ]  # fmt: skip
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603  (our own manage.py)
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=_detach_and_die_with_parent,  # noqa: PLW1509
        )  # fmt: skip

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.output():
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited:\n{self.output()}")
            time.sleep(0.2)
        raise TimeoutError(f"worker {self.name} not ready:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text()

    def kill(self) -> None:
        """SIGKILL to the worker and its pool: nothing gets to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def wait_for(condition, timeout: float = 15, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("condition not met in time")
