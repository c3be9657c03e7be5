"""docker-compose.yml runs the broker's Redis so that a restart keeps the queued tasks
(issue 15, item 15): append-only file on, on a named volume, and an eviction policy that
never drops a queue. docs/operations.md says why."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.support.redis_server import private_redis

ROOT = Path(settings.BASE_DIR)


def _redis_service() -> tuple[dict, dict]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose, compose["services"]["redis"]


def _option(command: list[str], name: str) -> str:
    return str(command[command.index(name) + 1])


def test_compose_redis_keeps_the_queues_on_disk_across_a_restart():
    compose, redis = _redis_service()
    command = [str(part) for part in redis["command"]]

    assert command[0] == "redis-server"
    assert _option(command, "--appendonly") == "yes"
    assert _option(command, "--appendfsync") in {"everysec", "always"}
    # Queues are lists without a time-to-live: volatile-lru never evicts them.
    assert _option(command, "--maxmemory-policy") == "volatile-lru"
    # The append-only file lives on a named volume, so it outlives the container.
    (mount,) = [v for v in redis["volumes"] if v.split(":")[1] == "/data"]
    assert mount.split(":")[0] in compose["volumes"]


def test_the_operations_guide_says_why_the_broker_needs_persistence():
    guide = (ROOT / "docs" / "operations.md").read_text()

    assert "appendonly yes" in guide
    assert "a restart keeps the queues" in guide
    assert "volatile-lru" in guide


@pytest.mark.parametrize(("aof", "survives"), [(True, True), (False, False)])
def test_a_queued_task_survives_a_killed_redis_only_with_the_append_only_file(
    tmp_path, aof, survives
):
    """Why compose turns AOF on: a task the broker accepted is still queued after a SIGKILL
    and a restart with it, and gone without it."""
    with private_redis(aof_dir=str(tmp_path) if aof else None) as server:
        server.client().rpush("rental:tenant.alpha", b'{"headers": {"task": "bookings.notify"}}')
        server.kill()
        server.start()

        assert server.client().llen("rental:tenant.alpha") == (1 if survives else 0)
