from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "tenant_apps.bookings"
    label = "bookings"
    verbose_name = "Bookings"

    def ready(self) -> None:
        # Apps below bookings never import it; they ask through ports it registers with.
        from shared_apps.tenants.usage import register_usage_reader
        from tenant_apps.bookings.selectors import BookedStays
        from tenant_apps.bookings.usage import MarketplaceUsage
        from tenant_apps.listings.stays import register_stay_reader

        register_stay_reader(BookedStays())
        register_usage_reader(MarketplaceUsage())
