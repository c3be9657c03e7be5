"""Figures read when /metrics is scraped: the fleet's task counts and durations, queue
depths and oldest task ages, live workers, scheduled backups, and what apps above core
register (spare schemas: shared_apps.tenants.metrics). Each source
is read in one round trip; one that fails is left out of this scrape (and
`rental_metrics_source_up` says so) rather than failing the whole page."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)

from shared_apps.core.metrics import fleet

logger = logging.getLogger(__name__)


def _task_families():
    stats = fleet.task_stats()
    runs = CounterMetricFamily(
        "rental_celery_tasks",
        "Celery task runs finished, by task and state (SUCCESS, FAILURE, RETRY, ...).",
        labels=["task", "state"],
    )
    for (task, state), count in sorted(stats.counts.items()):
        runs.add_metric([task, state], count)
    durations = HistogramMetricFamily(
        "rental_celery_task_duration_seconds",
        "Time a Celery task run took, by task.",
        labels=["task"],
    )
    for task, buckets in sorted(stats.buckets.items()):
        ordered = [(str(le), buckets.get(str(le), 0)) for le in fleet.TASK_BUCKETS]
        ordered.append(("+Inf", buckets.get("+Inf", 0)))
        durations.add_metric([task], ordered, sum_value=stats.sums.get(task, 0.0))
    return [runs, durations]


def _queue_families():
    from django.db import connection

    from shared_apps.queues.routing import PLATFORM_QUEUE, served_queues
    from shared_apps.queues.selectors import queue_lengths

    connection.set_schema_to_public()
    lengths = queue_lengths(served_queues())  # platform and every active marketplace's
    platform = lengths.pop(PLATFORM_QUEUE)
    depths = lengths
    busy = [queue for queue, depth in depths.items() if depth]
    top = sorted(busy, key=lambda queue: -depths[queue])[: settings.METRICS_TOP_QUEUES]
    ages = fleet.oldest_task_ages([PLATFORM_QUEUE, *busy])

    depth = GaugeMetricFamily(
        "rental_queue_depth",
        "Tasks waiting in a queue: `platform`, and the deepest marketplace queues "
        "(METRICS_TOP_QUEUES of them; the operator API has every marketplace's).",
        labels=["queue"],
    )
    depth.add_metric([PLATFORM_QUEUE], platform)
    for queue in top:
        depth.add_metric([queue], depths[queue])
    age = GaugeMetricFamily(
        "rental_queue_oldest_task_age_seconds",
        "How long the oldest waiting task of a queue has waited (queues as rental_queue_depth).",
        labels=["queue"],
    )
    for queue in [PLATFORM_QUEUE, *top]:
        age.add_metric([queue], ages.get(queue, 0.0))
    marketplace_ages = [ages[q] for q in busy if q in ages]
    return [
        depth,
        age,
        GaugeMetricFamily(
            "rental_marketplace_queues_depth",
            "Tasks waiting in all marketplace queues together.",
            value=sum(depths.values()),
        ),
        GaugeMetricFamily(
            "rental_marketplace_queues_busy",
            "Marketplace queues holding at least one task.",
            value=len(busy),
        ),
        GaugeMetricFamily(
            "rental_marketplace_queues_oldest_task_age_seconds",
            "The longest any task has waited in any marketplace queue.",
            value=max(marketplace_ages, default=0.0),
        ),
    ]


def _worker_families():
    from shared_apps.queues.worker import live_workers

    return [
        GaugeMetricFamily(
            "rental_workers_alive",
            "Celery workers whose heartbeat is recent (30 seconds).",
            value=live_workers(),
        )
    ]


def _backup_families():
    stats = fleet.backup_stats()
    runs = CounterMetricFamily(
        "rental_backups", "Scheduled marketplace backups, by outcome.", labels=["outcome"]
    )
    for outcome, count in sorted(stats.counts.items()):
        runs.add_metric([outcome], count)
    families = [
        runs,
        GaugeMetricFamily(
            "rental_backup_marketplaces_failing",
            "Marketplaces whose latest scheduled backup failed.",
            value=stats.failing,
        ),
        GaugeMetricFamily(
            "rental_backup_marketplaces_never_succeeded",
            "Marketplaces with a scheduled backup attempt but no good archive yet.",
            value=stats.never_succeeded,
        ),
    ]
    if stats.oldest_success is not None:
        families.append(
            GaugeMetricFamily(
                "rental_backup_oldest_success_age_seconds",
                "Age of the stalest marketplace's latest good scheduled backup.",
                value=max(0.0, time.time() - stats.oldest_success),
            )
        )
    return families


def _outbox_families():
    from shared_apps.core.outbox import unsent_summary

    waiting, oldest_age = unsent_summary()
    families = [
        GaugeMetricFamily(
            "rental_outbox_unsent_messages",
            "Follow-up tasks committed but not yet handed to the broker (the sweep retries "
            "them); above zero for long means the broker is away.",
            value=waiting,
        )
    ]
    if oldest_age is not None:
        families.append(
            GaugeMetricFamily(
                "rental_outbox_oldest_unsent_age_seconds",
                "Age of the oldest outbox message still waiting for the broker.",
                value=max(0.0, oldest_age),
            )
        )
    return families


SOURCES = {
    "tasks": _task_families,
    "queues": _queue_families,
    "workers": _worker_families,
    "backups": _backup_families,
    "outbox": _outbox_families,
}


def register_source(name: str, read) -> None:
    """Adds a scrape-time source from an app above core (e.g. the marketplaces app's schema
    pool, shared_apps.tenants.metrics): `read()` returns metric families."""
    SOURCES[name] = read


class FleetCollector:
    def collect(self):
        up = GaugeMetricFamily(
            "rental_metrics_source_up",
            "1 when the figures of a source could be read at this scrape.",
            labels=["source"],
        )
        for name, read in SOURCES.items():
            try:
                families = read()
            except Exception:
                logger.warning("metrics source %s could not be read", name, exc_info=True)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up

    def describe(self):
        return []  # figures are read at scrape time; nothing to check at registration
