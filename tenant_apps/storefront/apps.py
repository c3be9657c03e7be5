from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "tenant_apps.storefront"
    label = "storefront"
    verbose_name = "Storefront"
