"""What runs inside a worker process: which marketplace queues it consumes, and a heartbeat.

A worker started by `run_worker` follows marketplaces: it serves every active marketplace
(or only the pinned ones, `--tenants a,b`), re-reading that list on the `sync_tenant_queues`
broadcast (sent when a marketplace is provisioned, suspended, resumed or deleted) and every
QUEUE_SYNC_SECONDS. Of those, it consumes only the queues that hold tasks, found every
QUEUE_DISCOVERY_SECONDS in a Redis set publishers keep (active-queue discovery): one BRPOP
over a thousand idle queues costs a third of the throughput (bench/queues.py), one over the
few busy ones costs nothing. The publish that makes a queue active also broadcasts
`wake_queue`, so a following worker adds that queue at once rather than at its next
discovery; its BRPOP blocks at most QUEUE_POLL_SECONDS, so even an idle worker's next BRPOP
names the new queue that soon. Every QUEUE_SWEEP_SECONDS it also checks the length of every
queue it serves, which finds tasks that came back without a publish (a dead worker's task,
restored by the broker). A queue stays consumed for QUEUE_IDLE_SECONDS after it was last
seen busy, so a bursty marketplace isn't dropped and re-added between two tasks.
A plain `celery worker -Q …` keeps exactly the queues it was given.

An operator's `celery control add_consumer` / `cancel_consumer` (or Flower's buttons)
sticks on a following worker: an added queue is held (consumed, busy or idle, until a
cancel_consumer), a cancelled one is never consumed (until an add_consumer), whatever
discovery and the sync decide, each with a log line; `release_consumer` hands the queue
back to discovery. A queue that is not this deployment's
(neither `platform` nor an active marketplace's) is refused with a log line and an error
reply. `manage.py queues` shows what every worker serves (the `marketplace_queues`
inspect command below)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from celery import bootsteps
from celery.worker import control as celery_control
from celery.worker.control import control_command, inspect_command
from django.conf import settings
from django.db import connection

from shared_apps.core.broker import broker_key, broker_redis
from shared_apps.queues.discovery import active_tenant_queues, sweep_queues
from shared_apps.queues.routing import PLATFORM_QUEUE, TENANT_QUEUE_PREFIX, served_queues

logger = logging.getLogger(__name__)

# Celery's own queue controls, still used by workers that don't follow marketplaces.
_celery_add_consumer = celery_control.add_consumer
_celery_cancel_consumer = celery_control.cancel_consumer

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
    held: set[str] = field(default_factory=set)  # add_consumer: always consumed
    cancelled: set[str] = field(default_factory=set)  # cancel_consumer: never consumed

    def refresh_served(self) -> None:
        connection.set_schema_to_public()
        self.served = set(served_queues(pinned=self.pinned, platform=False))
        held_marketplaces = {q for q in self.held if q.startswith(TENANT_QUEUE_PREFIX)}
        if held_marketplaces:
            gone = held_marketplaces - set(served_queues(platform=False))
            for queue in sorted(gone):
                logger.warning("released %s (held by add_consumer): marketplace not active", queue)
            self.held -= gone

    def wanted(self, now: float, *, discover: bool = True) -> set[str]:
        """The queues to consume now; `discover` re-reads the active set from Redis (a
        wake-up has already recorded its queue, so it skips the round trip)."""
        if discover:
            for queue in active_tenant_queues() & self.served:
                self.last_busy[queue] = now
        keep = {
            queue
            for queue, seen in self.last_busy.items()
            if queue in self.served and now - seen < settings.QUEUE_IDLE_SECONDS
        }
        self.last_busy = {queue: self.last_busy[queue] for queue in keep}
        platform = {PLATFORM_QUEUE} if self.platform else set()
        return (keep | platform | self.held) - self.cancelled

    def serves(self) -> list[str]:
        """Every queue this worker may consume: busy or idle, minus the cancelled ones."""
        platform = {PLATFORM_QUEUE} if self.platform else set()
        return sorted((self.served | platform | self.held) - self.cancelled)


def _state(consumer) -> MarketplaceQueues | None:
    return getattr(consumer, "marketplace_queues", None)


def apply_wanted_queues(consumer, *, discover: bool = True) -> None:
    """Starts and stops consumers so the worker consumes exactly the queues it wants now."""
    state = _state(consumer)
    task_consumer = consumer.task_consumer
    if state is None or task_consumer is None:
        return
    wanted = state.wanted(time.monotonic(), discover=discover)
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


def apply_woken_queues(consumer) -> None:
    apply_wanted_queues(consumer, discover=False)


@control_command(args=[("queue", str)], signature="<queue>")
def wake_queue(state, queue, **kwargs):
    """A publisher just made `queue` busy (shared_apps.queues.discovery): consume it now if
    this worker serves it, instead of at the next discovery."""
    following = _state(state.consumer)
    if following is None or queue not in following.served or queue in following.cancelled:
        return {"ok": "not served here"}
    following.last_busy[queue] = time.monotonic()
    state.consumer.call_soon(apply_woken_queues, state.consumer)
    return {"ok": f"consuming {queue}"}


@control_command()
def sync_tenant_queues(state, **kwargs):
    """Re-read which marketplaces this worker serves."""
    state.consumer.call_soon(sync_served, state.consumer)
    return {"ok": "syncing queues"}


def deployment_queue_problem(queue: str) -> str | None:
    """Why `queue` is not one of this deployment's queues, or None if it is."""
    if queue == PLATFORM_QUEUE:
        return None
    if not queue.startswith(TENANT_QUEUE_PREFIX):
        return f"not a queue of this deployment (platform or {TENANT_QUEUE_PREFIX}<slug>)"
    connection.set_schema_to_public()
    if queue not in served_queues(platform=False):
        return "no active marketplace has this queue"
    return None


@control_command(
    args=[("queue", str), ("exchange", str), ("exchange_type", str), ("routing_key", str)],
    signature="<queue> [exchange [type [routing_key]]]",
)
def add_consumer(state, queue, exchange=None, exchange_type=None, routing_key=None, **options):
    """Consume a queue. On a marketplace-following worker the queue is held: consumed,
    busy or idle, until cancel_consumer."""
    following = _state(state.consumer)
    if following is None:
        return _celery_add_consumer(state, queue, exchange, exchange_type, routing_key, **options)
    try:
        problem = deployment_queue_problem(queue)
    except Exception as exc:  # the database is away: say so rather than guess
        problem = f"could not check the queue ({exc.__class__.__name__})"
    if problem:
        logger.warning("add_consumer %s refused: %s", queue, problem)
        return {"error": f"add_consumer {queue} refused: {problem}"}
    following.held.add(queue)
    following.cancelled.discard(queue)
    logger.info("add_consumer %s: held, consumed until cancel_consumer", queue)
    state.consumer.call_soon(apply_wanted_queues, state.consumer)
    return {"ok": f"add consumer {queue} (held until cancel_consumer)"}


@control_command(args=[("queue", str)], signature="<queue>")
def cancel_consumer(state, queue, **options):
    """Stop consuming a queue. On a marketplace-following worker it stays stopped, busy or
    not, until add_consumer."""
    following = _state(state.consumer)
    if following is None:
        return _celery_cancel_consumer(state, queue, **options)
    following.cancelled.add(queue)
    following.held.discard(queue)
    logger.info("cancel_consumer %s: not consumed by this worker until add_consumer", queue)
    state.consumer.call_soon(apply_wanted_queues, state.consumer)
    return {"ok": f"no longer consuming from {queue} (until add_consumer)"}


@control_command(args=[("queue", str)], signature="<queue>")
def release_consumer(state, queue, **options):
    """Forget an add_consumer or cancel_consumer of a queue: discovery decides again."""
    following = _state(state.consumer)
    if following is None:
        return {"error": "this worker doesn't follow marketplaces; use add/cancel_consumer"}
    following.held.discard(queue)
    following.cancelled.discard(queue)
    logger.info("release_consumer %s: consumed while it holds tasks again", queue)
    state.consumer.call_soon(apply_wanted_queues, state.consumer)
    return {"ok": f"{queue} follows discovery again"}


@inspect_command()
def marketplace_queues(state):
    """The queues this worker serves (idle ones included) and the ones it consumes now."""
    consumer = state.consumer
    task_consumer = consumer.task_consumer
    consuming = sorted(q.name for q in task_consumer.queues) if task_consumer else []
    following = _state(consumer)
    if following is None:
        return {"follows": False, "pinned": None, "serves": consuming, "consuming": consuming,
                "held": [], "cancelled": []}  # fmt: skip
    return {
        "follows": True,
        "pinned": following.pinned,
        "serves": following.serves(),
        "consuming": consuming,
        "held": sorted(following.held),
        "cancelled": sorted(following.cancelled),
    }


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
