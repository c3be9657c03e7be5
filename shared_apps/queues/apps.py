from django.apps import AppConfig


class QueuesConfig(AppConfig):
    name = "shared_apps.queues"
    label = "queues"
    verbose_name = "Queues"

    def ready(self) -> None:
        from celery.signals import after_task_publish

        from shared_apps.queues.discovery import mark_queue_active

        def _mark_active(sender=None, routing_key=None, **kwargs):
            # Every message marks its queue busy, so workers discover it (active queues).
            if routing_key:
                mark_queue_active(routing_key)

        after_task_publish.connect(_mark_active, weak=False, dispatch_uid="queues.mark_active")
