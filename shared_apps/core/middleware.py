from __future__ import annotations

import logging

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from shared_apps.core.errors import error_body
from shared_apps.core.health import health_response, live_response
from shared_apps.core.tenancy import host_map

HEALTH_PATHS = ("/healthz", "/healthz/", "/healthz/ready", "/healthz/ready/")
LIVE_PATHS = ("/healthz/live", "/healthz/live/")


logger = logging.getLogger(__name__)


class HealthCheckMiddleware:
    """Answers /healthz on any host, a bare IP included, before the tenant lookup, so load
    balancers can probe every instance without knowing a marketplace's domain."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in HEALTH_PATHS:
            return health_response()
        if request.path in LIVE_PATHS:
            return live_response()
        return self.get_response(request)


class RejectNulBytesMiddleware:
    """PostgreSQL text can't hold NUL characters, so one in a path or query parameter would
    fail deep in a query. Every such request is refused up front with a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        values = [request.path, *(v for vs in request.GET.lists() for v in vs[1])]
        if any("\x00" in value for value in values):
            return JsonResponse(
                error_body("bad_request", "The address contains a NUL character."), status=400
            )
        return self.get_response(request)


class TenantMiddleware(TenantMainMiddleware):
    """django-tenants' host -> schema resolution, answering in the API's JSON error format:
    an unknown host is a 404 (never the public site), a suspended marketplace a 503."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        try:
            self.hostname_from_request(request)
        except DisallowedHost:
            return JsonResponse(
                error_body("bad_host", "The Host header is not a valid host name."), status=400
            )
        response = super().process_request(request)
        if response is not None:
            return response
        tenant = request.tenant
        if tenant.schema_name != get_public_schema_name() and tenant.is_suspended:
            response = JsonResponse(
                error_body(
                    "marketplace_suspended",
                    f"{tenant.brand_name} is temporarily unavailable. "
                    "Please try again later or contact the marketplace's support.",
                ),
                status=503,
            )
            response["Retry-After"] = "3600"
            # A deliberate answer, not a server fault: logged once at INFO, and kept out of
            # django.request's ERROR line for 5xx (which would page someone for every call).
            logger.info("%s %s: marketplace %s is suspended", request.method, request.path,
                        tenant.schema_name)  # fmt: skip
            response._has_been_logged = True
            return response
        return None

    def get_tenant(self, domain_model, hostname):
        # The process's host map (shared_apps.core.tenancy): no query for a known host.
        return host_map.tenant_for(hostname, lambda name: super(TenantMiddleware, self)
                                   .get_tenant(domain_model, name))  # fmt: skip

    @staticmethod
    def hostname_from_request(request: HttpRequest) -> str:
        # Host names are case-insensitive; domains are stored lowercased.
        return TenantMainMiddleware.hostname_from_request(request).lower()

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        return JsonResponse(
            error_body("unknown_host", f'No marketplace is served at "{hostname}".'),
            status=404,
        )
