"""Running without Redis: one warning per interval instead of one per request, and the
moment the outage was last seen (for /healthz)."""

from __future__ import annotations

import logging
import threading
import time

from shared_apps.core.metrics.instruments import CACHE_ERRORS, THROTTLE_UNAVAILABLE

_lock = threading.Lock()
_last_logged: dict[str, float] = {}
_last_failure: dict[str, float] = {}

# A dependency failed within this many seconds counts as degraded in /healthz.
DEGRADED_WINDOW_SECONDS = 60


def note_failure(
    logger: logging.Logger, what: str, error: BaseException, *, every: float = 60.0
) -> None:
    """Records that `what` (e.g. "cache", "broker") failed, and logs it at most once per
    `every` seconds per process: an outage under traffic is one line a minute, not one per
    request."""
    now = time.monotonic()
    with _lock:
        _last_failure[what] = now
        due = now - _last_logged.get(what, float("-inf")) >= every
        if due:
            _last_logged[what] = now
    if due:
        logger.warning("%s unavailable, degrading: %s", what, error)


def recently_failed(what: str, *, within: float = DEGRADED_WINDOW_SECONDS) -> bool:
    with _lock:
        seen = _last_failure.get(what)
    return seen is not None and time.monotonic() - seen < within


def note_throttle_unavailable(logger: logging.Logger, error: BaseException, *, refused: bool):
    """A rate-limit check that could not reach Redis: recorded as a cache failure and counted
    by what the request got (rental_throttle_unavailable_total)."""
    THROTTLE_UNAVAILABLE.labels("refused" if refused else "allowed").inc()
    note_failure(logger, "cache", error)


def reset() -> None:
    """Forgets past failures (tests)."""
    with _lock:
        _last_logged.clear()
        _last_failure.clear()


class CacheErrorsAsFailures(logging.Filter):
    """On django-redis's logger (settings.DJANGO_REDIS_LOGGER): each ignored cache error (a
    call answered as a miss) is counted (rental_cache_errors_total), recorded as a failure
    and logged at most once a minute, instead of a traceback per call."""

    def filter(self, record: logging.LogRecord) -> bool:
        CACHE_ERRORS.inc()
        error = record.exc_info[1] if record.exc_info else None
        note_failure(logging.getLogger(__name__), "cache", error or Exception(record.getMessage()))
        return False
