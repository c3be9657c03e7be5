"""django-redis client that times every cache call and counts hits and misses
(settings: CACHES["default"]["OPTIONS"]["CLIENT_CLASS"])."""

from __future__ import annotations

import time

from django_redis.client import DefaultClient

from shared_apps.core.metrics.instruments import CACHE_DURATION, CACHE_LOOKUPS

_MISSING = object()


class _Timer:
    def __init__(self, operation: str) -> None:
        self.histogram = CACHE_DURATION.labels(operation)

    def __enter__(self):
        self.started = time.perf_counter()

    def __exit__(self, *exc):
        self.histogram.observe(time.perf_counter() - self.started)


class InstrumentedClient(DefaultClient):
    def get(self, key, default=None, version=None, client=None):
        with _Timer("get"):
            value = super().get(key, default=_MISSING, version=version, client=client)
        CACHE_LOOKUPS.labels("miss" if value is _MISSING else "hit").inc()
        return default if value is _MISSING else value

    def get_many(self, keys, version=None, client=None):
        keys = list(keys)
        with _Timer("get_many"):
            found = super().get_many(keys, version=version, client=client)
        if found:
            CACHE_LOOKUPS.labels("hit").inc(len(found))
        if len(keys) > len(found):
            CACHE_LOOKUPS.labels("miss").inc(len(keys) - len(found))
        return found

    def set(self, *args, **kwargs):
        with _Timer("set"):
            return super().set(*args, **kwargs)

    def set_many(self, *args, **kwargs):
        with _Timer("set_many"):
            return super().set_many(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with _Timer("delete"):
            return super().delete(*args, **kwargs)

    def delete_many(self, *args, **kwargs):
        with _Timer("delete_many"):
            return super().delete_many(*args, **kwargs)

    def incr(self, *args, **kwargs):
        with _Timer("incr"):
            return super().incr(*args, **kwargs)
