"""The operator's API on the platform host: thin views over the tenants services."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from shared_apps.core.errors import NotFoundError
from shared_apps.core.serializers import validated
from shared_apps.core.views import PlatformAPIView, PlatformGenericAPIView
from shared_apps.queues.selectors import queue_depths
from shared_apps.tenants import services
from shared_apps.tenants.api.serializers import (
    TenantDeletedOutput,
    TenantDeleteInput,
    TenantListQuery,
    TenantMetricsOutput,
    TenantOutput,
    TenantProvisionInput,
    TenantProvisionOutput,
    TenantSuspendInput,
    TenantUpdateInput,
)
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.selectors import tenant_get, tenant_list, tenant_metrics


def _tenant_or_404(slug: str) -> Tenant:
    tenant = tenant_get(slug=slug)
    if tenant is None:
        raise NotFoundError(f"No marketplace has the slug {slug!r}.")
    return tenant


def _output(slug: str) -> dict:
    return TenantOutput(tenant_get(slug=slug)).data


class TenantListCreateView(PlatformGenericAPIView):
    serializer_class = TenantOutput

    def get_queryset(self):
        query = validated(TenantListQuery, self.request.query_params)
        return tenant_list(**query)

    @extend_schema(
        summary="List marketplaces",
        parameters=[TenantListQuery],
        responses=TenantOutput(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        depths = queue_depths([tenant.schema_name for tenant in page])
        return self.get_paginated_response(
            TenantOutput(page, many=True, context={"queue_depths": depths}).data
        )

    @extend_schema(
        summary="Provision a marketplace",
        request=TenantProvisionInput,
        responses={201: TenantProvisionOutput},
    )
    def post(self, request):
        data = validated(TenantProvisionInput, request.data)
        result = services.tenant_provision(**data)
        body = TenantProvisionOutput(
            {
                "tenant": tenant_get(slug=result.tenant.schema_name),
                "admin": {
                    "id": result.admin.id,
                    "email": result.admin.email,
                    "invited": result.admin_invited,
                },
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class TenantDetailView(PlatformAPIView):
    @extend_schema(summary="Marketplace detail", responses=TenantOutput)
    def get(self, request, slug: str):
        return Response(TenantOutput(_tenant_or_404(slug)).data)

    @extend_schema(
        summary="Rebrand a marketplace, change its settings or domains",
        request=TenantUpdateInput,
        responses=TenantOutput,
    )
    def patch(self, request, slug: str):
        tenant = _tenant_or_404(slug)
        data = validated(TenantUpdateInput, request.data, partial=True)
        services.tenant_update(tenant=tenant, data=data)
        return Response(_output(slug))

    @extend_schema(
        summary="Delete a marketplace (archived first unless archive is false)",
        request=TenantDeleteInput,
        responses=TenantDeletedOutput,
    )
    def delete(self, request, slug: str):
        tenant = _tenant_or_404(slug)
        data = validated(TenantDeleteInput, request.data)
        path = services.tenant_delete(
            tenant=tenant, confirm_slug=data["confirm_slug"], archive=data["archive"]
        )
        return Response(
            TenantDeletedOutput({"slug": slug, "archive": str(path) if path else None}).data
        )


class TenantSuspendView(PlatformAPIView):
    @extend_schema(
        summary="Suspend a marketplace (its hosts answer 503)",
        request=TenantSuspendInput,
        responses=TenantOutput,
    )
    def post(self, request, slug: str):
        data = validated(TenantSuspendInput, request.data)
        services.tenant_suspend(tenant=_tenant_or_404(slug), **data)
        return Response(_output(slug))


class TenantResumeView(PlatformAPIView):
    @extend_schema(summary="Resume a suspended marketplace", request=None, responses=TenantOutput)
    def post(self, request, slug: str):
        services.tenant_resume(tenant=_tenant_or_404(slug))
        return Response(_output(slug))


class TenantMetricsListView(PlatformGenericAPIView):
    serializer_class = TenantMetricsOutput

    def get_queryset(self):
        return tenant_list(**validated(TenantListQuery, self.request.query_params))

    @extend_schema(
        summary="Usage of every marketplace (a page at a time)",
        parameters=[TenantListQuery],
        responses=TenantMetricsOutput(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        metrics = tenant_metrics(tenants=page)
        return self.get_paginated_response(
            TenantMetricsOutput([metrics[t.schema_name] for t in page], many=True).data
        )


class TenantMetricsView(PlatformAPIView):
    @extend_schema(summary="Usage of one marketplace", responses=TenantMetricsOutput)
    def get(self, request, slug: str):
        tenant = _tenant_or_404(slug)
        return Response(TenantMetricsOutput(tenant_metrics(tenants=[tenant])[slug]).data)
