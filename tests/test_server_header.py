"""The production web server does not announce itself (`Server: gunicorn`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.support.redis_server import free_port

ROOT = Path(__file__).resolve().parents[1]


def test_gunicorn_with_our_config_hides_its_name():
    port = free_port()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "1"}
    server = subprocess.Popen(  # noqa: S603 (our own arguments)
        [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "config.wsgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        headers = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:  # noqa: S310
                    headers = r.headers
            except urllib.error.HTTPError as error:  # a 503 still carries the headers
                headers = error.headers
            except OSError:
                time.sleep(0.1)
                continue
            break
        assert headers is not None, "gunicorn did not answer"
        assert "gunicorn" not in (headers.get("Server") or "").lower()
    finally:
        server.terminate()
        server.wait(timeout=10)
