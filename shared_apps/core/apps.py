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

        from shared_apps.core.degraded import CacheErrorsAsFailures

        cache_logger = logging.getLogger(settings.DJANGO_REDIS_LOGGER)
        if not any(isinstance(f, CacheErrorsAsFailures) for f in cache_logger.filters):
            cache_logger.addFilter(CacheErrorsAsFailures())
