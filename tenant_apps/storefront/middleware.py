"""Middleware of storefront pages. (Their Content-Security-Policy is django-csp's, set in
settings for every page.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from tenant_apps.storefront.views.errors import suspended, wants_html


class SuspendedMarketplacePageMiddleware:
    """The tenant middleware answers a suspended marketplace with the API's JSON 503; a
    browser gets the branded page instead. Sits before the tenant middleware, so it sees
    that answer on its way out (request.tenant is set by then)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        tenant = getattr(request, "tenant", None)
        suspended_here = tenant is not None and tenant.is_suspended
        if response.status_code == 503 and suspended_here and wants_html(request):
            return suspended(request, tenant)
        return response
