"""The Celery app. tenant-schemas-celery's app carries the sending tenant's schema in each
task's headers and switches the worker's connection to it before the task runs; the
router (shared_apps.queues.routing) puts each task in its marketplace's own queue."""

import os

from celery.signals import beat_init
from tenant_schemas_celery.app import CeleryApp

from shared_apps.queues.worker import QueueFollower

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = CeleryApp("rental")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each worker follows the marketplaces' queues and sends a heartbeat (shared_apps.queues.worker).
app.steps["consumer"].add(QueueFollower)


@app.on_after_configure.connect
def _schedule_marketplace_jobs(sender, **kwargs):
    """Beat: each periodic marketplace job is one platform dispatch that sends the job into
    every active marketplace's own queue (settings.TENANT_PERIODIC_TASKS)."""
    from django.conf import settings

    from shared_apps.tenants.backup_schedule import beat_entry

    sender.conf.beat_schedule = {
        **settings.CELERY_BEAT_SCHEDULE,
        **beat_entry(),
        **{
            f"every-marketplace:{name}": {
                "task": "core.dispatch_to_marketplaces",
                "schedule": seconds,
                "args": (name,),
            }
            for name, seconds in settings.TENANT_PERIODIC_TASKS.items()
        },
    }


@beat_init.connect
def _catch_up_at_start(sender, **kwargs):
    """With BEAT_CATCH_UP_AT_START (on under `make run`), beat sends every periodic job once
    as it starts instead of waiting a whole interval: work that fell due while nothing ran
    (stays that ended, requests that lapsed overnight) happens at once. Each job is
    idempotent, so an early run costs nothing."""
    from django.conf import settings

    if not settings.BEAT_CATCH_UP_AT_START:
        return
    scheduler = sender.scheduler
    for entry in list(scheduler.schedule.values()):
        scheduler.apply_async(entry, advance=True)  # the next run counts from now
