from django.contrib import admin

from shared_apps.core.admin_site import MarketplaceModelAdmin, marketplace_admin_site
from tenant_apps.bookings.models import Booking, BookingPolicy, BookingTransition


class TransitionInline(admin.TabularInline):
    model = BookingTransition
    extra = 0
    fields = ["created", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Booking, site=marketplace_admin_site)
class BookingAdmin(MarketplaceModelAdmin):
    """Read-only: bookings change through their state machine (the API), never by hand."""

    list_display = ["property", "guest", "check_in", "check_out", "status", "total", "currency"]
    list_filter = ["status"]
    search_fields = ["guest__email", "property__title"]
    inlines = [TransitionInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Booking._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BookingPolicy, site=marketplace_admin_site)
class BookingPolicyAdmin(MarketplaceModelAdmin):
    list_display = [
        "guest_fee_percent", "host_fee_percent", "tax_percent", "booking_window_days",
        "request_expiry_hours", "collect_payment_on_arrival",
    ]  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False  # the one row is made by a migration (BookingPolicy.load())

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
