"""Figures about the whole fleet, kept in the broker's Redis so that any web replica's
/metrics answers for every worker: Celery task counts and durations (added up by the
workers as tasks finish) and scheduled backup outcomes. Counters only ever grow; Redis
being wiped resets them, which Prometheus' rate() treats as a counter reset.

Keys live under the deployment's Celery key prefix (`metrics:*`), next to its queues."""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from shared_apps.core.broker import broker_key, broker_redis

logger = logging.getLogger(__name__)

# Tasks run from milliseconds (a no-op) to minutes (a backup of a big marketplace).
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900)
TASK_COUNTS = "metrics:tasks:count"  # "<task>|<state>" -> count
TASK_BUCKETS_KEY = "metrics:tasks:bucket"  # "<task>|<le>" -> cumulative count
TASK_SUMS = "metrics:tasks:sum"  # "<task>" -> seconds
BACKUP_COUNTS = "metrics:backups:count"  # "ok" | "failed" -> count
BACKUP_LAST = "metrics:backups:last"  # slug -> {"ok", "at", "last_success"}
PUBLISHED_AT_HEADER = "published_at"


def record_task(*, task: str, state: str, seconds: float | None) -> None:
    """One finished task run (state: SUCCESS, FAILURE, RETRY, IGNORED, REJECTED, ...)."""
    pipe = broker_redis().pipeline(transaction=False)
    pipe.hincrby(broker_key(TASK_COUNTS), f"{task}|{state}", 1)
    if seconds is not None:
        for le in TASK_BUCKETS:
            if seconds <= le:
                pipe.hincrby(broker_key(TASK_BUCKETS_KEY), f"{task}|{le}", 1)
        pipe.hincrby(broker_key(TASK_BUCKETS_KEY), f"{task}|+Inf", 1)
        pipe.hincrbyfloat(broker_key(TASK_SUMS), task, seconds)
    pipe.execute()


@dataclass
class TaskStats:
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    buckets: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    sums: dict[str, float] = field(default_factory=dict)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def task_stats() -> TaskStats:
    pipe = broker_redis().pipeline(transaction=False)
    for key in (TASK_COUNTS, TASK_BUCKETS_KEY, TASK_SUMS):
        pipe.hgetall(broker_key(key))
    counts, buckets, sums = pipe.execute()
    stats = TaskStats()
    for name, value in counts.items():
        task, _, state = _text(name).rpartition("|")
        stats.counts[(task, state)] = int(value)
    for name, value in buckets.items():
        task, _, le = _text(name).rpartition("|")
        stats.buckets[task][le] = int(value)
    stats.sums = {_text(task): float(value) for task, value in sums.items()}
    return stats


def record_backup(*, slug: str, ok: bool) -> None:
    """A scheduled backup of one marketplace finished (ok) or failed."""
    client = broker_redis()
    previous = client.hget(broker_key(BACKUP_LAST), slug)
    last_success = json.loads(previous).get("last_success") if previous else None
    now = time.time()
    entry = {"ok": ok, "at": now, "last_success": now if ok else last_success}
    pipe = client.pipeline(transaction=False)
    pipe.hincrby(broker_key(BACKUP_COUNTS), "ok" if ok else "failed", 1)
    pipe.hset(broker_key(BACKUP_LAST), slug, json.dumps(entry))
    pipe.execute()


def forget_backups(slugs) -> None:
    """Drops the backup state of marketplaces that no longer exist."""
    if slugs:
        broker_redis().hdel(broker_key(BACKUP_LAST), *slugs)


@dataclass
class BackupStats:
    counts: dict[str, int]
    failing: int  # marketplaces whose latest scheduled backup failed
    oldest_success: float | None  # unix time of the stalest marketplace's last good backup
    never_succeeded: int


def backup_stats() -> BackupStats:
    client = broker_redis()
    counts = {_text(k): int(v) for k, v in client.hgetall(broker_key(BACKUP_COUNTS)).items()}
    entries = [json.loads(v) for v in client.hgetall(broker_key(BACKUP_LAST)).values()]
    successes = [e["last_success"] for e in entries if e.get("last_success")]
    return BackupStats(
        counts={"ok": counts.get("ok", 0), "failed": counts.get("failed", 0)},
        failing=sum(1 for e in entries if not e["ok"]),
        oldest_success=min(successes) if successes else None,
        never_succeeded=sum(1 for e in entries if not e.get("last_success")),
    )


def oldest_task_ages(queues: list[str]) -> dict[str, float]:
    """Seconds the oldest waiting task of each queue has waited (queues that hold tasks).
    Kombu pushes on the left and pops on the right, so the oldest is the last element; its
    publish time is the header our publish signal stamps (signals.py)."""
    if not queues:
        return {}
    pipe = broker_redis().pipeline(transaction=False)
    for queue in queues:
        pipe.lindex(broker_key(queue), -1)
    now = time.time()
    ages = {}
    for queue, raw in zip(queues, pipe.execute(), strict=True):
        if raw is None:
            continue
        try:
            published = json.loads(raw)["headers"][PUBLISHED_AT_HEADER]
        except (ValueError, KeyError, TypeError):
            continue  # a message from before the header existed: no age to tell
        ages[queue] = max(0.0, now - float(published))
    return ages
