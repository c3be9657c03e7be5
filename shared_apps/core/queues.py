"""Per-marketplace Celery queues: naming, routing, which queues a worker serves, depths.

Every marketplace has its own queue `tenant.<schema>`; platform-wide work goes to `platform`.
A task sent while a marketplace is current goes to that marketplace's queue, so one
marketplace's backlog waits in its own list and a worker's round-robin over its queues
(kombu rotates the queue it just took from to the back) lets every other marketplace's
task through after at most one task of each other queue."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

import redis
from django.conf import settings
from django.db import connection
from django_tenants.utils import get_public_schema_name

logger = logging.getLogger(__name__)

PLATFORM_QUEUE = "platform"
TENANT_QUEUE_PREFIX = "tenant."
SCHEMA_HEADER = "_schema_name"  # set by tenant-schemas-celery on every message


def tenant_queue(schema_name: str) -> str:
    return f"{TENANT_QUEUE_PREFIX}{schema_name}"


def is_platform_task(task) -> bool:
    return bool(getattr(task, "platform_task", False))


def route_task(name, args, kwargs, options, task=None, **kw) -> dict:
    """Celery router: the platform queue for platform tasks, else the queue of the
    marketplace current when the task is sent (carried in the schema header)."""
    if task is not None and is_platform_task(task):
        return {"queue": PLATFORM_QUEUE}
    if task is None and name.startswith("celery."):
        return {"queue": PLATFORM_QUEUE}  # Celery's own (chord unlock, backend cleanup)
    headers = options.get("headers") or {}
    schema = headers.get(SCHEMA_HEADER) or connection.schema_name
    if schema == get_public_schema_name():
        from shared_apps.core.tenancy import TenantRequiredError

        raise TenantRequiredError(
            f"Task {name} belongs to a marketplace, but it was sent with none current. "
            "Send it inside tenant_context(tenant), or make it a platform task."
        )
    return {"queue": tenant_queue(schema)}


def served_queues(*, pinned: Iterable[str] | None = None, platform: bool = True) -> list[str]:
    """The queues a worker should consume now: every active marketplace's (or only the
    pinned ones, while active), plus the platform queue."""
    from shared_apps.tenants.models import Tenant
    from shared_apps.tenants.selectors import marketplace_tenants

    tenants = marketplace_tenants().filter(status=Tenant.Status.ACTIVE)
    if pinned is not None:
        tenants = tenants.filter(schema_name__in=list(pinned))
    queues = [tenant_queue(slug) for slug in tenants.values_list("schema_name", flat=True)]
    return ([PLATFORM_QUEUE] if platform else []) + sorted(queues)


@functools.cache
def broker_redis() -> redis.Redis:
    """A plain client of the broker's Redis, for reading queues and worker heartbeats.
    (Kombu's own client prefixes only some commands, so we prefix keys ourselves.)"""
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def broker_key(name: str) -> str:
    return settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] + name


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


def purge_tenant_queue(schema_name: str) -> int:
    """Drops the tasks still waiting for a marketplace that is being deleted."""
    key = broker_key(tenant_queue(schema_name))
    waiting, _ = broker_redis().pipeline().llen(key).delete(key).execute()
    return waiting


ACTIVE_QUEUES_KEY = "queues:active"

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
    """Called after a task is published to `queue` (see shared_apps.core.apps)."""
    if queue.startswith(TENANT_QUEUE_PREFIX):
        broker_redis().sadd(broker_key(ACTIVE_QUEUES_KEY), queue)


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


def broadcast_queue_sync() -> None:
    """Tells every running worker to re-read which marketplace queues to consume. Called
    after provisioning, suspension, resumption and deletion commit."""
    from config.celery import app

    try:
        app.control.broadcast("sync_tenant_queues")
    except Exception:  # the periodic sync catches up if the broker hiccups
        logger.exception("could not broadcast the queue sync to workers")
