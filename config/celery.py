"""The Celery app. tenant-schemas-celery's app carries the sending tenant's schema in each
task's headers and switches the worker's connection to it before the task runs."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = CeleryApp("rental")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
