from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "shared_apps.tenants"
    label = "tenants"
    verbose_name = "Marketplaces"
