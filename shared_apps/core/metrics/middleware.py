"""Times every web request by its URL pattern and status, and every SQL statement it runs;
answers /metrics on any host (a bare IP included) before the tenant lookup, like /healthz."""

from __future__ import annotations

import time

from django.db import connection
from django.http import HttpRequest, HttpResponse

from shared_apps.core.metrics.exposition import metrics_response
from shared_apps.core.metrics.instruments import DB_QUERY_DURATION, REQUEST_DURATION

METRICS_PATHS = ("/metrics", "/metrics/")
HEALTH_PREFIX = "/healthz"
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def route_label(request: HttpRequest) -> str:
    """The URL pattern that answered (e.g. `api/v1/properties/<uuid:property_id>`), never
    the path itself, so the label's values are as many as the routes."""
    if request.path.startswith(HEALTH_PREFIX):
        return "healthz"
    match = getattr(request, "resolver_match", None)
    if match is None:
        # A stored answer served by a middleware names the route that computed it
        # (tenant_apps.listings.middleware); else: unknown host, 404, or another middleware.
        return getattr(request, "answered_route", None) or "unmatched"
    return match.route or match.view_name or "unnamed"


def _time_query(execute, sql, params, many, context):
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        DB_QUERY_DURATION.observe(time.perf_counter() - started)


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in METRICS_PATHS:
            return metrics_response(request)
        started = time.perf_counter()
        status = "500"
        try:
            with connection.execute_wrapper(_time_query):
                response = self.get_response(request)
            status = str(response.status_code)
            return response
        finally:
            method = request.method if request.method in METHODS else "other"
            REQUEST_DURATION.labels(route_label(request), method, status).observe(
                time.perf_counter() - started
            )
