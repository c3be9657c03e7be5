from django.contrib import admin

from shared_apps.core.admin_site import MarketplaceModelAdmin, marketplace_admin_site
from tenant_apps.reviews.models import Review, ReviewPolicy


@admin.register(Review, site=marketplace_admin_site)
class ReviewAdmin(MarketplaceModelAdmin):
    """Read-only: hiding goes through the API (POST /api/v1/reviews/{id}/hide), which keeps
    the listing's rating right in the same transaction."""

    list_display = ["property", "guest", "rating", "is_hidden", "created"]
    list_filter = ["is_hidden", "rating"]
    search_fields = ["guest__email", "property__title", "comment"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Review._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReviewPolicy, site=marketplace_admin_site)
class ReviewPolicyAdmin(MarketplaceModelAdmin):
    list_display = ["review_window_days"]

    def has_add_permission(self, request) -> bool:
        return False  # the one row is made by a migration (ReviewPolicy.load())

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
