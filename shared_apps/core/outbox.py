"""Transactional outbox: tasks that must follow a committed change.

`publish_after_commit(task, **kwargs)` writes the intent in the caller's transaction, so the
change and its follow-up work commit together or not at all. Once the transaction commits,
the relay publishes the message and marks it sent; if the broker is away the request still
succeeds, and the periodic sweep (`core.relay_outbox`, settings.OUTBOX_SWEEP_SECONDS)
publishes it later. A message may be published more than once (the relay died between
publishing and marking); the message id is the task id and every task is idempotent
(`run_once`), so a duplicate does nothing."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from celery import Task
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import (
    get_public_schema_name,
    get_tenant_model,
    schema_context,
    tenant_context,
)

from shared_apps.core import degraded
from shared_apps.core.metrics.instruments import OUTBOX_PUBLISH_FAILURES, OUTBOX_PUBLISHED
from shared_apps.core.models import OutboxMessage

logger = logging.getLogger(__name__)


def publish_after_commit(task: Task, *, schema_name: str | None = None, **kwargs) -> OutboxMessage:
    """Queues `task(**kwargs)` to run once the current transaction commits, in `schema_name`
    (default: the current schema; platform tasks run on the public schema whatever it is).
    `kwargs` must be JSON (ids, not model instances)."""
    if getattr(task, "platform_task", False):
        schema_name = get_public_schema_name()
    message = OutboxMessage.objects.create(
        schema_name=schema_name or connection.schema_name, task_name=task.name, kwargs=kwargs
    )
    # Published from the row in hand: just committed, it is unsent (the sweep leaves rows
    # younger than OUTBOX_RELAY_GRACE_SECONDS alone), so reading it back costs a round trip
    # on every write path for nothing.
    transaction.on_commit(lambda: _publish(message))
    return message


def _publish(message: OutboxMessage, *, via: str = "relay") -> bool:
    """Publishes one message and marks it sent. Never raises: a message left unsent is the
    sweep's to publish. Returns whether it was published. `via`: "relay" (right after the
    commit) or "sweep" (a retry), for the metrics."""
    from config.celery import app

    try:
        task = app.tasks[message.task_name]
        with _in_schema(message.schema_name):
            # No publish retries: a request must not wait out a broker outage (the sweep
            # retries instead), and the message id is the task id (see the module doc).
            task.apply_async(kwargs=message.kwargs, task_id=str(message.pk), retry=False)
    except Exception as error:  # the broker is away, or the task's marketplace is gone
        degraded.note_failure(logger, "broker", error)
        OUTBOX_PUBLISH_FAILURES.labels(via).inc()
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=message.attempts + 1, last_error=repr(error)[:2000]
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        sent_at=timezone.now(), attempts=message.attempts + 1, last_error=""
    )
    OUTBOX_PUBLISHED.labels(via).inc()
    return True


def _in_schema(schema_name: str):
    """The message's marketplace as the current tenant (its task is sent with that schema),
    without a query when the relay runs in the request that wrote it."""
    if connection.schema_name == schema_name:
        return contextlib.nullcontext()
    return tenant_context(get_tenant_model().objects.get(schema_name=schema_name))


def outbox_sweep(*, older_than: timedelta | None = None, limit: int = 500) -> int:
    """Publishes unsent messages older than `older_than` (so the sweep does not race the
    relay of a transaction that just committed), oldest first; drops those of deleted
    marketplaces and forgets sent ones after a week. Returns how many it published."""
    from config.celery import app

    if older_than is None:
        older_than = timedelta(seconds=settings.OUTBOX_RELAY_GRACE_SECONDS)
    now = timezone.now()
    published = 0
    with schema_context(get_public_schema_name()):
        schemas = set(get_tenant_model().objects.values_list("schema_name", flat=True))
        schemas.add(get_public_schema_name())
        with transaction.atomic():
            # Concurrent sweeps skip each other's rows instead of publishing them twice.
            stuck = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True, created__lte=now - older_than)
                .order_by("created")[:limit]
            )
            for message in stuck:
                if message.schema_name not in schemas:
                    logger.warning("dropping %s: its marketplace is gone", message)
                    message.delete()
                    continue
                if message.task_name not in app.tasks:
                    logger.error("outbox message %s names no known task; left unsent", message)
                    continue
                if not _publish(message, via="sweep"):
                    break  # the broker is still away; the next sweep tries again
                published += 1
        OutboxMessage.objects.filter(
            sent_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS)
        ).delete()
    return published


def unsent_count() -> int:
    with schema_context(get_public_schema_name()):
        return OutboxMessage.objects.filter(sent_at__isnull=True).count()


def unsent_summary() -> tuple[int, float | None]:
    """(messages waiting, age in seconds of the oldest) in one query, for /metrics."""
    from django.db.models import Count, Min

    with schema_context(get_public_schema_name()):
        found = OutboxMessage.objects.filter(sent_at__isnull=True).aggregate(
            waiting=Count("pk"), oldest=Min("created")
        )
    oldest = found["oldest"]
    return found["waiting"], (timezone.now() - oldest).total_seconds() if oldest else None
