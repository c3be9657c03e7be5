"""Health for probes. Liveness (/healthz/live): this process answers, nothing else is
asked, so a database outage never gets every web pod restarted. Readiness (/healthz/ready,
and /healthz as before): PostgreSQL answers, so a pod that can't reach it is taken out of the
load balancer until it does. Redis is asked and reported too, but without it the platform
degrades instead of failing (every pod shares the one Redis, so taking them all out of the
load balancer would only turn a degraded platform into an outage): "degraded", still 200."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from shared_apps.core import degraded

logger = logging.getLogger(__name__)


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    client = cache.client.get_client(write=True)
    client.ping()
    return "ok"


CHECKS = {"postgresql": _check_database, "redis": _check_redis}
# Without these the platform still answers (reads from the database, follow-up work kept in
# the outbox), so their failure is "degraded" (200), not a reason to leave the load balancer.
DEGRADABLE = {"redis"}


def _workers() -> str:
    """Background workers don't gate web traffic: reported, never a 503 on their own."""
    from shared_apps.queues.worker import live_workers

    try:
        count = live_workers()
    except Exception as exc:  # Redis down is reported by its own check
        return f"unknown: {exc.__class__.__name__}"
    return f"ok ({count} alive)" if count else "none answering"


def health_report() -> tuple[str, dict[str, str]]:
    """("ok" | "degraded" | "unavailable", each check's result)."""
    results: dict[str, str] = {}
    status = "ok"
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a health check reports every failure instead of raising
            logger.warning("health check %s failed: %s", name, exc)
            results[name] = f"error: {exc.__class__.__name__}"
            if name not in DEGRADABLE:
                status = "unavailable"
            elif status == "ok":
                status = "degraded"
    results["workers"] = _workers()
    if status == "ok" and degraded.recently_failed("broker"):
        status = "degraded"  # follow-up work is waiting in the outbox
    return status, results


def health_response() -> JsonResponse:
    status, results = health_report()
    return JsonResponse(
        {"status": status, "checks": results}, status=503 if status == "unavailable" else 200
    )


def live_response() -> JsonResponse:
    return JsonResponse({"status": "ok"})
