"""How many tasks wait in which queue."""

from __future__ import annotations

from collections.abc import Iterable

from shared_apps.core.broker import broker_key, broker_redis
from shared_apps.queues.routing import tenant_queue


def queue_depths(schema_names: Iterable[str]) -> dict[str, int]:
    """Tasks waiting in each marketplace's queue, in one Redis round trip."""
    names = list(schema_names)
    if not names:
        return {}
    pipe = broker_redis().pipeline()
    for name in names:
        pipe.llen(broker_key(tenant_queue(name)))
    return dict(zip(names, pipe.execute(), strict=True))


def queue_lengths(queues: Iterable[str]) -> dict[str, int]:
    """Tasks waiting in each named queue (platform or marketplace), in one round trip."""
    names = list(queues)
    if not names:
        return {}
    pipe = broker_redis().pipeline()
    for name in names:
        pipe.llen(broker_key(name))
    return dict(zip(names, pipe.execute(), strict=True))
