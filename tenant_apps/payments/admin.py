from django.contrib import admin, messages

from shared_apps.core.admin_site import MarketplaceModelAdmin, marketplace_admin_site
from shared_apps.core.errors import ApplicationError
from tenant_apps.payments import services
from tenant_apps.payments.constants import RefundStatus
from tenant_apps.payments.models import Payment, Refund, WebhookEvent


class ReadOnlyAdmin(MarketplaceModelAdmin):
    """Money moves through the services (and the provider), never by editing rows."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    fields = ["created", "amount", "status", "reason", "failure_message"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Payment, site=marketplace_admin_site)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["booking", "provider", "amount", "amount_refunded", "currency", "status"]
    list_filter = ["status", "provider", "method"]
    search_fields = ["reference", "booking__guest__email"]
    inlines = [RefundInline]


@admin.register(Refund, site=marketplace_admin_site)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["payment", "amount", "status", "reason", "created"]
    list_filter = ["status"]
    actions = ["mark_paid_back"]

    @admin.action(description="Mark as paid back (offline refunds)")
    def mark_paid_back(self, request, queryset):
        done = 0
        for refund in queryset.filter(status=RefundStatus.REQUIRES_ACTION):
            try:
                services.refund_mark_paid(refund=refund)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.WARNING)
        self.message_user(request, f"{done} refund(s) marked as paid back.")


@admin.register(WebhookEvent, site=marketplace_admin_site)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received", "provider", "type", "event_id", "outcome"]
    list_filter = ["provider", "type"]
    search_fields = ["event_id"]
