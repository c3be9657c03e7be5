"""Celery's signals feed the fleet figures: a publish time on every message (for the
oldest-task age of each queue) and, in the worker, each task run's state and duration."""

from __future__ import annotations

import logging
import time

from celery.signals import before_task_publish, task_postrun, task_prerun

from shared_apps.core.metrics import fleet

logger = logging.getLogger(__name__)

_started: dict[str, float] = {}


def stamp_published_at(headers=None, **kwargs) -> None:
    if headers is not None:
        headers.setdefault(fleet.PUBLISHED_AT_HEADER, time.time())


def task_started(task_id=None, **kwargs) -> None:
    _started[task_id] = time.perf_counter()


def task_finished(task_id=None, task=None, state=None, **kwargs) -> None:
    started = _started.pop(task_id, None)
    seconds = time.perf_counter() - started if started is not None else None
    try:
        fleet.record_task(task=task.name, state=state or "UNKNOWN", seconds=seconds)
    except Exception:  # metrics must never fail a task
        logger.warning("could not record the metrics of %s", task.name, exc_info=True)


def connect() -> None:
    before_task_publish.connect(stamp_published_at, weak=False, dispatch_uid="metrics.publish")
    task_prerun.connect(task_started, weak=False, dispatch_uid="metrics.prerun")
    task_postrun.connect(task_finished, weak=False, dispatch_uid="metrics.postrun")
