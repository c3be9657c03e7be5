from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "shared_apps.tenants"
    label = "tenants"
    verbose_name = "Marketplaces"

    def ready(self) -> None:
        from shared_apps.tenants import metrics

        metrics.register()  # spare schemas on /metrics
