"""Task base classes and the platform's own tasks.

`marketplace_task` tasks run in the schema of the marketplace that sent them, in its queue;
`platform_task` tasks run on the public schema, in the `platform` queue. Every task is
acks_late with retries and backoff for errors from outside, and `run_once` makes an
effect happen once however often the task runs."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from celery.exceptions import Ignore
from celery.signals import before_task_publish
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import get_public_schema_name, tenant_context
from tenant_schemas_celery.app import get_schema_name_from_task
from tenant_schemas_celery.task import TenantTask

from config.celery import app
from shared_apps.core.broker import SCHEMA_HEADER
from shared_apps.core.logging import add_context_headers, task_log_context
from shared_apps.core.tenancy import TenantRequiredError

logger = logging.getLogger(__name__)

# The sender's request id and user travel with every task (shared_apps.core.logging).
before_task_publish.connect(add_context_headers, weak=False)

# Errors worth retrying: the outside world is briefly unavailable.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError, OSError)

RETRY_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


class ContextTask(TenantTask):
    """Every task's run carries the request id and user of whoever sent it in its log lines
    (shared_apps.core.logging); the marketplace is the schema it runs in."""

    abstract = True

    def __call__(self, *args, **kwargs):
        with task_log_context(self.request):
            self.before_run(kwargs)
            return super().__call__(*args, **kwargs)

    def before_run(self, kwargs) -> None:
        """Checks before the task body runs (may raise Ignore)."""


class MarketplaceTask(ContextTask):
    """Runs in the schema of the marketplace current when it was sent; refuses to run with
    none, and drops (with a log line, no retry) a task whose marketplace is gone."""

    abstract = True

    def before_run(self, kwargs) -> None:
        schema = get_schema_name_from_task(self, kwargs)
        if not schema or schema == get_public_schema_name():
            raise TenantRequiredError(f"{self.name} ran without a marketplace; refusing.")
        if connection.schema_name != schema:
            # tenant-schemas-celery could not switch: the marketplace no longer exists.
            from shared_apps.tenants.models import Tenant

            if not Tenant.objects.filter(schema_name=schema).exists():
                logger.warning("dropping %s for deleted marketplace %s", self.name, schema)
                raise Ignore()
            raise TenantRequiredError(f"{self.name} could not switch to {schema}.")


class PlatformTask(ContextTask):
    """Runs on the public schema in the `platform` queue, whoever sends it."""

    abstract = True
    platform_task = True

    def apply_async(self, args=None, kwargs=None, **options):
        headers = dict(options.pop("headers", None) or {})
        headers[SCHEMA_HEADER] = get_public_schema_name()
        return super().apply_async(args, kwargs, headers=headers, **options)


def marketplace_task(*args, **options):
    return app.task(*args, base=MarketplaceTask, **{**RETRY_OPTIONS, **options})


def platform_task(*args, **options):
    return app.task(*args, base=PlatformTask, **{**RETRY_OPTIONS, **options})


@contextlib.contextmanager
def run_once(key: str, *, task_name: str = "") -> Iterator[bool]:
    """`with run_once(key) as first:` opens a transaction holding a receipt for `key`;
    `first` is False when an earlier run already committed the effect. The receipt and the
    effect commit together, so a run killed before the commit leaves nothing, and a run
    after it does nothing."""
    from shared_apps.core.models import TaskReceipt

    with transaction.atomic():
        try:
            with transaction.atomic():
                TaskReceipt.objects.create(
                    schema_name=connection.schema_name, key=key, task_name=task_name
                )
        except IntegrityError:
            yield False
            return
        yield True


@platform_task(name="core.relay_outbox")
def relay_outbox() -> int:
    """Periodic: publishes the follow-up tasks a broker outage left in the outbox."""
    from shared_apps.core.outbox import outbox_sweep

    return outbox_sweep()


@platform_task(name="core.purge_credential_failures")
def purge_credential_failures() -> int:
    """Periodic: drops failed sign-in counters that no longer count."""
    from shared_apps.core.credentials import purge_expired

    return purge_expired()


@platform_task(name="core.dispatch_to_marketplaces")
def dispatch_to_marketplaces(task_name: str, kwargs: dict | None = None) -> int:
    """Sends one marketplace task into every active marketplace's own queue (used by beat
    for periodic marketplace jobs). Returns how many were sent."""
    from shared_apps.tenants.models import Tenant
    from shared_apps.tenants.selectors import marketplace_tenants

    sent = 0
    for tenant in marketplace_tenants().filter(status=Tenant.Status.ACTIVE).iterator():
        with tenant_context(tenant):
            app.send_task(task_name, kwargs=kwargs or {})
        sent += 1
    return sent
