"""What runs inside a worker process: which marketplace queues it consumes, and a heartbeat.

A worker started by `run_worker` follows marketplaces: it serves every active marketplace
(or only the pinned ones, `--tenants a,b`), re-reading that list on the `sync_tenant_queues`
broadcast (sent when a marketplace is provisioned, suspended, resumed or deleted) and every
QUEUE_SYNC_SECONDS. Of those, it consumes only the queues that hold tasks, found every
QUEUE_DISCOVERY_SECONDS in a Redis set publishers keep (active-queue discovery): one BRPOP
over a thousand idle queues costs a third of the throughput (bench/queues.py), one over the
few busy ones costs nothing. Every QUEUE_SWEEP_SECONDS it also checks the length of every
queue it serves, which finds tasks that came back without a publish (a dead worker's task,
restored by the broker). A queue stays consumed for QUEUE_IDLE_SECONDS after it was last
seen busy, so a bursty marketplace isn't dropped and re-added between two tasks.
A plain `celery worker -Q …` keeps exactly the queues it was given."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from celery import bootsteps
from celery.worker.control import control_command
from django.conf import settings
from django.db import connection

from shared_apps.core.queues import (
    PLATFORM_QUEUE,
    active_tenant_queues,
    broker_key,
    broker_redis,
    served_queues,
    sweep_queues,
)

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
HEARTBEAT_KEY = "workers:heartbeat"


@dataclass
class MarketplaceQueues:
    """A following worker's view: which marketplace queues it may serve, and when each
    was last seen holding tasks."""

    pinned: list[str] | None
    platform: bool
    served: set[str] = field(default_factory=set)
    last_busy: dict[str, float] = field(default_factory=dict)

    def refresh_served(self) -> None:
        connection.set_schema_to_public()
        self.served = set(served_queues(pinned=self.pinned, platform=False))

    def wanted(self, now: float) -> set[str]:
        for queue in active_tenant_queues() & self.served:
            self.last_busy[queue] = now
        keep = {
            queue
            for queue, seen in self.last_busy.items()
            if queue in self.served and now - seen < settings.QUEUE_IDLE_SECONDS
        }
        self.last_busy = {queue: self.last_busy[queue] for queue in keep}
        return keep | ({PLATFORM_QUEUE} if self.platform else set())


def _state(consumer) -> MarketplaceQueues | None:
    return getattr(consumer, "marketplace_queues", None)


def apply_wanted_queues(consumer) -> None:
    """Starts and stops consumers so the worker consumes exactly the queues it wants now."""
    state = _state(consumer)
    task_consumer = consumer.task_consumer
    if state is None or task_consumer is None:
        return
    wanted = state.wanted(time.monotonic())
    current = {queue.name for queue in task_consumer.queues}
    for queue in sorted(wanted - current):
        consumer.add_task_queue(queue)
    for queue in sorted(current - wanted):
        consumer.cancel_task_queue(queue)


def sweep(consumer) -> None:
    state = _state(consumer)
    if state is not None:
        sweep_queues(state.served)
        apply_wanted_queues(consumer)


def sync_served(consumer) -> None:
    state = _state(consumer)
    if state is None:
        return
    before = state.served
    state.refresh_served()
    if state.served != before:
        logger.info(
            "serving %d marketplaces (+%s -%s)",
            len(state.served),
            sorted(state.served - before),
            sorted(before - state.served),
        )
    apply_wanted_queues(consumer)


@control_command()
def sync_tenant_queues(state, **kwargs):
    """Re-read which marketplaces this worker serves."""
    state.consumer.call_soon(sync_served, state.consumer)
    return {"ok": "syncing queues"}


def _guarded(job, consumer) -> None:
    """Timer jobs must not raise into the worker's event loop: log and try next time."""
    try:
        job(consumer)
    except Exception:
        logger.exception("%s failed; retrying at the next tick", job.__name__)


class QueueFollower(bootsteps.StartStopStep):
    """Queue following (for `run_worker`) and the heartbeat, on the worker's own timer."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.timers = []

    def start(self, consumer):
        app = consumer.app
        self.beat(consumer)
        self.timers = [consumer.timer.call_repeatedly(HEARTBEAT_SECONDS, self.beat, (consumer,))]
        if not app.conf.get("worker_follow_marketplaces"):
            return
        consumer.marketplace_queues = MarketplaceQueues(
            pinned=app.conf.get("worker_pinned_tenants"),
            platform=app.conf.get("worker_platform_queue", True),
        )
        _guarded(sync_served, consumer)
        self.timers += [
            consumer.timer.call_repeatedly(
                settings.QUEUE_SYNC_SECONDS, _guarded, (sync_served, consumer)
            ),
            consumer.timer.call_repeatedly(
                settings.QUEUE_DISCOVERY_SECONDS, _guarded, (apply_wanted_queues, consumer)
            ),
            consumer.timer.call_repeatedly(
                settings.QUEUE_SWEEP_SECONDS, _guarded, (sweep, consumer)
            ),
        ]

    def beat(self, consumer):
        try:
            broker_redis().zadd(broker_key(HEARTBEAT_KEY), {consumer.hostname: time.time()})
        except Exception:  # a missed heartbeat is harmless; the next one may succeed
            logger.warning("worker heartbeat failed", exc_info=True)

    def stop(self, consumer):
        for timer in self.timers:
            timer.cancel()
        try:
            broker_redis().zrem(broker_key(HEARTBEAT_KEY), consumer.hostname)
        except Exception:
            logger.warning("could not remove the worker heartbeat", exc_info=True)


def live_workers(max_age: float = 3 * HEARTBEAT_SECONDS) -> int:
    """Workers whose heartbeat is recent, read from the broker's Redis."""
    return broker_redis().zcount(broker_key(HEARTBEAT_KEY), time.time() - max_age, "+inf")
