from django.contrib import admin, messages

from shared_apps.core.errors import ApplicationError
from shared_apps.tenants import services
from shared_apps.tenants.constants import BRANDING_FIELDS
from shared_apps.tenants.models import Domain, Tenant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "kind", "is_primary"]
    readonly_fields = ["kind"]


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    """Platform staff's view of marketplaces. Creation and deletion go through the operator
    API or `manage.py provision_tenant`, which create and drop the schema in one step."""

    list_display = ["schema_name", "name", "status", "currency", "created"]
    list_filter = ["status"]
    search_fields = ["schema_name", "name"]
    readonly_fields = ["schema_name", "status", "suspended_at", "created", "updated"]
    fields = [
        "schema_name", "name", "status", "suspended_reason", "suspended_at",
        *BRANDING_FIELDS, "currency", "timezone", "created", "updated",
    ]  # fmt: skip
    inlines = [DomainInline]
    actions = ["suspend", "resume"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(schema_name="public")

    @admin.action(description="Suspend the selected marketplaces")
    def suspend(self, request, queryset):
        self._each(request, queryset, services.tenant_suspend)

    @admin.action(description="Resume the selected marketplaces")
    def resume(self, request, queryset):
        self._each(request, queryset, services.tenant_resume)

    def _each(self, request, queryset, service):
        for tenant in queryset:
            try:
                service(tenant=tenant)
            except ApplicationError as exc:
                self.message_user(request, f"{tenant}: {exc.message}", messages.WARNING)
