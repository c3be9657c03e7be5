from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "tenant_apps.listings"
    label = "listings"
    verbose_name = "Listings"
