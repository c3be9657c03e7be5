"""Endpoints about the current marketplace itself, served on its own host."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from shared_apps.core.permissions import IsMarketplaceAdmin
from shared_apps.core.serializers import validated
from shared_apps.core.tenancy import current_tenant
from shared_apps.core.views import MarketplaceAPIView
from shared_apps.tenants import services
from shared_apps.tenants.api.serializers import BrandingOutput, BrandingUpdateInput


class BrandingView(MarketplaceAPIView):
    def get_permissions(self):
        # Anyone may read the branding (the storefront needs it); only admins change it.
        if self.request.method == "GET":
            return [AllowAny()]
        return [IsMarketplaceAdmin()]

    @extend_schema(
        summary="This marketplace's branding", responses=BrandingOutput, tags=["branding"]
    )
    def get(self, request):
        return Response(BrandingOutput(current_tenant()).data)

    @extend_schema(
        summary="Rebrand this marketplace",
        request=BrandingUpdateInput,
        responses=BrandingOutput,
        tags=["branding"],
    )
    def patch(self, request):
        data = validated(BrandingUpdateInput, request.data, partial=True)
        tenant = services.tenant_update(tenant=current_tenant(), data=data)
        return Response(BrandingOutput(tenant).data)
