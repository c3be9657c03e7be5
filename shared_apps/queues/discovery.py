"""Active-queue discovery: which marketplace queues hold tasks now.

Publishers add each queue they publish to to a Redis set; a following worker consumes only
the queues of that set it serves (shared_apps.queues.worker), so its BRPOP names the few
busy queues instead of every marketplace's. A publish that makes a queue newly active also
wakes the workers (a `wake_queue` broadcast, Redis pub/sub): they start consuming it at
once instead of at their next look at the set, so an idle marketplace's first task is not
held for a discovery interval behind another marketplace's backlog."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from shared_apps.core.broker import broker_key, broker_redis
from shared_apps.queues.routing import TENANT_QUEUE_PREFIX

logger = logging.getLogger(__name__)

ACTIVE_QUEUES_KEY = "queues:active"
WAKE_COMMAND = "wake_queue"  # the worker's control command (shared_apps.queues.worker)

# Removes a queue from the active set only if it is empty at that instant. A publisher
# pushes its message before it adds the queue to the set, so a queue emptied and removed
# here is added back by the next message's publisher: no message is ever left unseen.
_PRUNE_EMPTY = """
local active = {}
for _, queue in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    if redis.call('LLEN', ARGV[1] .. queue) > 0 then
        table.insert(active, queue)
    else
        redis.call('SREM', KEYS[1], queue)
    end
end
return active
"""


def mark_queue_active(queue: str) -> None:
    """Called after a task is published to `queue` (see shared_apps.queues.apps). The
    first task of an idle queue wakes the workers; later ones cost one SADD. A queue
    leaves the set only once it is empty, and discovery prunes the set at most every
    QUEUE_DISCOVERY_SECONDS, so a queue wakes the workers at most once per interval."""
    if not queue.startswith(TENANT_QUEUE_PREFIX):
        return
    if broker_redis().sadd(broker_key(ACTIVE_QUEUES_KEY), queue):
        wake_workers(queue)


def wake_workers(queue: str) -> None:
    """Tells every running worker that `queue` holds tasks now (no reply awaited)."""
    from config.celery import app

    try:
        app.control.broadcast(WAKE_COMMAND, arguments={"queue": queue})
    except Exception:  # the task is queued already; discovery finds it a moment later
        logger.warning("could not wake the workers for %s", queue, exc_info=True)


def active_tenant_queues() -> set[str]:
    """Marketplace queues holding tasks now. Workers consume only these (of the ones they
    serve), so a worker's BRPOP names the busy queues, not every marketplace's."""
    prefix = broker_key("")
    active = broker_redis().eval(_PRUNE_EMPTY, 1, broker_key(ACTIVE_QUEUES_KEY), prefix)
    return {name.decode() if isinstance(name, bytes) else name for name in active}


def sweep_queues(queues: Iterable[str]) -> set[str]:
    """Marks every queue of `queues` that holds tasks as active, whatever put them there
    (a task restored after its worker died is pushed back without a publish)."""
    names = list(queues)
    if not names:
        return set()
    pipe = broker_redis().pipeline()
    for name in names:
        pipe.llen(broker_key(name))
    busy = {name for name, depth in zip(names, pipe.execute(), strict=True) if depth}
    if busy:
        broker_redis().sadd(broker_key(ACTIVE_QUEUES_KEY), *busy)
    return busy
