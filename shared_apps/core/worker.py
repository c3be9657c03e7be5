"""What runs inside a worker process: following marketplace queues, and a heartbeat.

A worker either follows every active marketplace (the default) or is pinned to some
(`run_worker --tenants a,b`). On the `sync_tenant_queues` broadcast, and every
QUEUE_SYNC_SECONDS, it re-reads which queues it should consume and starts or stops
consumers to match: a new marketplace is served without a restart, a suspended or deleted
one stops being consumed."""

from __future__ import annotations

import logging
import time

from celery import bootsteps
from celery.worker.control import control_command
from django.conf import settings
from django.db import connection

from shared_apps.core.queues import broker_key, broker_redis

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
HEARTBEAT_KEY = "workers:heartbeat"


def _pinned(app) -> list[str] | None:
    return app.conf.get("worker_pinned_tenants")


def sync_consumer_queues(consumer) -> tuple[list[str], list[str]]:
    """Adds and cancels task consumers so the worker consumes exactly the queues it should."""
    from shared_apps.core.queues import served_queues

    app = consumer.app
    connection.set_schema_to_public()
    wanted = set(
        served_queues(pinned=_pinned(app), platform=app.conf.get("worker_platform_queue", True))
    )
    task_consumer = consumer.task_consumer
    if task_consumer is None:
        return [], []
    current = {queue.name for queue in task_consumer.queues}
    added = sorted(wanted - current)
    removed = sorted(current - wanted)
    for queue in added:
        consumer.add_task_queue(queue)
    for queue in removed:
        consumer.cancel_task_queue(queue)
    if added or removed:
        logger.info("queues synced: +%s -%s", added, removed)
    return added, removed


@control_command()
def sync_tenant_queues(state, **kwargs):
    """Re-read which marketplace queues this worker serves."""
    state.consumer.call_soon(sync_consumer_queues, state.consumer)
    return {"ok": "syncing queues"}


class QueueFollower(bootsteps.StartStopStep):
    """Periodic queue sync and heartbeat, on the worker's own timer."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.timers = []
        self.client = None

    def start(self, consumer):
        self.client = broker_redis()
        self.beat(consumer)
        self.timers = [
            consumer.timer.call_repeatedly(HEARTBEAT_SECONDS, self.beat, (consumer,)),
            consumer.timer.call_repeatedly(
                settings.QUEUE_SYNC_SECONDS, sync_consumer_queues, (consumer,)
            ),
        ]

    def beat(self, consumer):
        try:
            self.client.zadd(broker_key(HEARTBEAT_KEY), {consumer.hostname: time.time()})
        except Exception:  # a missed heartbeat is harmless; the next one may succeed
            logger.warning("worker heartbeat failed", exc_info=True)

    def stop(self, consumer):
        for timer in self.timers:
            timer.cancel()
        if self.client is not None:
            try:
                self.client.zrem(broker_key(HEARTBEAT_KEY), consumer.hostname)
            except Exception:
                logger.warning("could not remove the worker heartbeat", exc_info=True)


def live_workers(max_age: float = 3 * HEARTBEAT_SECONDS) -> int:
    """Workers whose heartbeat is recent, read from the broker's Redis."""
    return broker_redis().zcount(broker_key(HEARTBEAT_KEY), time.time() - max_age, "+inf")
