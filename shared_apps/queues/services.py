"""What marketplace changes do to queues and workers."""

from __future__ import annotations

import logging

from shared_apps.core.broker import broker_key, broker_redis
from shared_apps.queues.routing import tenant_queue

logger = logging.getLogger(__name__)


def purge_tenant_queue(schema_name: str) -> int:
    """Drops the tasks still waiting for a marketplace that is being deleted."""
    key = broker_key(tenant_queue(schema_name))
    waiting, _ = broker_redis().pipeline().llen(key).delete(key).execute()
    return waiting


def broadcast_queue_sync() -> None:
    """Tells every running worker to re-read which marketplace queues to consume. Called
    after provisioning, suspension, resumption and deletion commit."""
    from config.celery import app

    try:
        app.control.broadcast("sync_tenant_queues")
    except Exception:  # the periodic sync catches up if the broker hiccups
        logger.exception("could not broadcast the queue sync to workers")
