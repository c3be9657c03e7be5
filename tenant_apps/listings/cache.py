"""Read-heavy listing answers cached per marketplace, invalidated by a version key.

Every listing write bumps one version number; cached answers are stored under the version
current when they were computed, so after a write no reader can get an old answer (the old
entries just expire). The cache key function adds the schema name, so each marketplace has
its own version and entries."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "listings:version"
TTL_SECONDS = 300


def listings_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY) or 1
    return int(version)


def bump_listings_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet: any fresh version is newer than no version
        cache.add(VERSION_KEY, 2, timeout=None)


def _key(kind: str, params: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    return f"listings:v{listings_version()}:{kind}:{digest[:32]}"


def cache_get(kind: str, params: dict[str, Any]) -> Any:
    return cache.get(_key(kind, params)) if settings.LISTINGS_CACHE else None


def cache_put(kind: str, params: dict[str, Any], value: Any) -> None:
    if settings.LISTINGS_CACHE:
        cache.set(_key(kind, params), value, TTL_SECONDS)


def cached(kind: str, params: dict[str, Any], compute: Callable[[], Any]) -> Any:
    value = cache_get(kind, params)
    if value is None:
        value = compute()
        cache_put(kind, params, value)
    return value
