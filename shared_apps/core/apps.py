from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shared_apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from shared_apps.core.metrics import signals as metrics_signals

        metrics_signals.connect()  # task counts and durations, publish times (metrics)

        import logging

        from django.conf import settings
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save
        from django_tenants.utils import get_tenant_domain_model, get_tenant_model

        from shared_apps.core.degraded import CacheErrorsAsFailures
        from shared_apps.core.tenancy import host_map_changed

        def _hosts_changed(**kwargs):
            # Now (this process's next request looks the host up again) and after the
            # commit (other processes, and readers that looked up the old row meanwhile).
            host_map_changed()
            transaction.on_commit(host_map_changed)

        for model in (get_tenant_model(), get_tenant_domain_model()):
            for name, signal in (("saved", post_save), ("deleted", post_delete)):
                uid = f"core.host_map.{name}.{model._meta.label}"
                signal.connect(_hosts_changed, sender=model, weak=False, dispatch_uid=uid)

        cache_logger = logging.getLogger(settings.DJANGO_REDIS_LOGGER)
        if not any(isinstance(f, CacheErrorsAsFailures) for f in cache_logger.filters):
            cache_logger.addFilter(CacheErrorsAsFailures())
