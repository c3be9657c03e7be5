"""Base views that make the safe path the default, and JSON answers for Django's own errors."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import Resolver404, resolve
from rest_framework.generics import GenericAPIView
from rest_framework.views import APIView

from shared_apps.core.errors import error_body
from shared_apps.core.permissions import IsMarketplaceMember, IsPlatformStaff
from shared_apps.core.query import StrictQueryMixin
from shared_apps.core.tenancy import current_tenant, is_public_schema


class MarketplaceMixin(StrictQueryMixin):
    """For views served on a marketplace host: members only unless a view opts out
    explicitly, and refusing to run on the public schema at all (fail closed)."""

    permission_classes = [IsMarketplaceMember]

    def initial(self, request, *args, **kwargs):
        current_tenant()  # raises on the public schema
        super().initial(request, *args, **kwargs)


class PlatformMixin(StrictQueryMixin):
    """For the operator's API on the platform host: staff only."""

    permission_classes = [IsPlatformStaff]

    def initial(self, request, *args, **kwargs):
        if not is_public_schema():
            raise RuntimeError("Operator views are only served on the platform host.")
        super().initial(request, *args, **kwargs)


class MarketplaceAPIView(MarketplaceMixin, APIView):
    pass


class MarketplaceGenericAPIView(MarketplaceMixin, GenericAPIView):
    pass


class PlatformAPIView(PlatformMixin, APIView):
    pass


class PlatformGenericAPIView(PlatformMixin, GenericAPIView):
    pass


def json_not_found(request, exception=None):
    return JsonResponse(error_body("not_found", "Nothing is served at this address."), status=404)


def api_not_found(request, *args, **kwargs):
    """An /api/ address no route matched. If it only lacks its trailing slash, say so."""
    message = "Nothing is served at this address."
    if not request.path.endswith("/"):
        try:
            resolved = resolve(request.path + "/", urlconf=getattr(request, "urlconf", None))
        except Resolver404:
            resolved = None
        if resolved is not None and resolved.func is not api_not_found:
            message += f" Did you mean {request.path}/ ?"
    return JsonResponse(error_body("not_found", message), status=404)


def platform_index(request):
    """The platform host's root: what is served here, for a person or a client exploring."""
    return JsonResponse(
        {
            "name": "Rental platform: operator API",
            "links": {
                "api_docs": request.build_absolute_uri("/api/docs/"),
                "openapi": request.build_absolute_uri("/api/schema/"),
                "api": request.build_absolute_uri("/api/v1/platform/tenants"),
                "admin": request.build_absolute_uri("/admin/"),
                "health": request.build_absolute_uri("/healthz"),
            },
        }
    )


def json_server_error(request):
    return JsonResponse(
        error_body("server_error", "Something went wrong on our side. It has been logged."),
        status=500,
    )


def json_bad_request(request, exception=None):
    return JsonResponse(
        error_body("bad_request", "The request could not be understood."), status=400
    )


def json_forbidden(request, exception=None):
    return JsonResponse(error_body("forbidden", "You may not do this."), status=403)
