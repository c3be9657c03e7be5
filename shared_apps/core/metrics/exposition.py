"""The /metrics page: this process's instruments (or, under gunicorn, every worker
process's, from PROMETHEUS_MULTIPROC_DIR) and the fleet figures."""

from __future__ import annotations

import functools
import hmac
import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from shared_apps.core.errors import error_body
from shared_apps.core.metrics.collector import FleetCollector


@functools.cache
def _single_process_registry() -> CollectorRegistry:
    REGISTRY.register(FleetCollector())
    return REGISTRY


def registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        fresh = CollectorRegistry()  # the files are re-read at every scrape
        multiprocess.MultiProcessCollector(fresh)
        fresh.register(FleetCollector())
        return fresh
    return _single_process_registry()


def allowed(request: HttpRequest) -> bool:
    """With METRICS_TOKEN set, only `Authorization: Bearer <token>`; without one, open in
    development (METRICS_OPEN) and closed in production."""
    token = settings.METRICS_TOKEN
    if not token:
        return settings.METRICS_OPEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), token.encode())


def metrics_response(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return JsonResponse(
            error_body(
                "metrics_token_required",
                "The metrics need the scrape token: send Authorization: Bearer <METRICS_TOKEN> "
                "(production serves them only once METRICS_TOKEN is set).",
            ),
            status=401,
        )
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
