from django.contrib import admin

from shared_apps.core.admin_site import MarketplaceModelAdmin, marketplace_admin_site
from tenant_apps.listings.models import Amenity, AvailabilityBlock, Property, PropertyPhoto


class PhotoInline(admin.TabularInline):
    model = PropertyPhoto
    extra = 0
    fields = ["image", "position", "caption", "width", "height"]
    readonly_fields = ["width", "height"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # photos are added through the API, which checks their content


class BlockInline(admin.TabularInline):
    model = AvailabilityBlock
    extra = 0
    fields = ["start", "end", "note"]


@admin.register(Property, site=marketplace_admin_site)
class PropertyAdmin(MarketplaceModelAdmin):
    """The marketplace admin's view of every listing of this marketplace (its schema)."""

    list_display = ["title", "host", "city", "country", "nightly_price", "status", "created"]
    list_filter = ["status", "property_type", "instant_book", "country"]
    search_fields = ["title", "city", "host__email"]
    readonly_fields = ["host", "rating_average", "rating_count", "created", "updated"]
    filter_horizontal = ["amenities"]
    inlines = [PhotoInline, BlockInline]

    def has_add_permission(self, request) -> bool:
        return False  # hosts create listings; admins moderate them

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("host")


@admin.register(Amenity, site=marketplace_admin_site)
class AmenityAdmin(MarketplaceModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
