"""Base views that make the safe path the default, and JSON answers for Django's own errors."""

from __future__ import annotations

from django.http import JsonResponse
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
