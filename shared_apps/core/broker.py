"""The broker's Redis, for code that reads or writes it beside Celery: queue depths, worker
heartbeats, fleet metrics. Every key carries the deployment's Celery key prefix."""

from __future__ import annotations

import functools

import redis
from django.conf import settings

SCHEMA_HEADER = "_schema_name"  # set by tenant-schemas-celery on every message


@functools.cache
def broker_redis() -> redis.Redis:
    """A plain client of the broker's Redis, for reading queues and worker heartbeats.
    (Kombu's own client prefixes only some commands, so we prefix keys ourselves.)"""
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def broker_key(name: str) -> str:
    return settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] + name
