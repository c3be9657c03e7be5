"""A private redis-server on a free port, to kill and bring back in the middle of a test
(the shared Redis of the machine is never touched)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """Without `aof_dir`, nothing survives a kill. With it, every write is appended to an
    append-only file there and fsynced (as docker-compose.yml configures the broker), so a
    server killed and started again comes back with what it had accepted."""

    def __init__(self, aof_dir: str | None = None) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.aof_dir = aof_dir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "always", "--dir", self.aof_dir]
            if self.aof_dir
            else ["--appendonly", "no"]
        )
        self.process = subprocess.Popen(  # noqa: S603 (our own arguments)
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", *persistence],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    return
            time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


@contextlib.contextmanager
def private_redis(aof_dir: str | None = None) -> Iterator[PrivateRedis]:
    server = PrivateRedis(aof_dir)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Points this process's Celery producer at `url` (and back afterwards)."""
    from config.celery import app

    def use(broker_url: str) -> None:
        app.conf.broker_url = broker_url
        app._pool = None  # the next publish opens a pool on the new URL
        app.amqp._producer_pool = None

    before = app.conf.broker_url
    use(url)
    try:
        yield
    finally:
        use(before)


def caches_on(settings, server: PrivateRedis) -> None:
    """Points every cache alias (the cache, sessions, throttles) at `server`, through the
    pytest-django `settings` fixture (restored after the test), and forgets any earlier
    outage so the degraded mode starts afresh."""
    import copy

    from shared_apps.core import degraded

    caches = copy.deepcopy(settings.CACHES)
    for alias in caches.values():
        alias["LOCATION"] = server.url
    settings.CACHES = caches
    degraded.reset()
