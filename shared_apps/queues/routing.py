"""Per-marketplace Celery queues: naming, routing, and which queues a worker serves.

Every marketplace has its own queue `tenant.<schema>`; platform-wide work goes to `platform`.
A task sent while a marketplace is current goes to that marketplace's queue, so one
marketplace's backlog waits in its own list and a worker's round-robin over its queues
(kombu rotates the queue it just took from to the back) lets every other marketplace's
task through after at most one task of each other queue."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django_tenants.utils import get_public_schema_name

from shared_apps.core.broker import SCHEMA_HEADER
from shared_apps.core.tenancy import TenantRequiredError

PLATFORM_QUEUE = "platform"
TENANT_QUEUE_PREFIX = "tenant."


def tenant_queue(schema_name: str) -> str:
    return f"{TENANT_QUEUE_PREFIX}{schema_name}"


def is_platform_task(task) -> bool:
    return bool(getattr(task, "platform_task", False))


def route_task(name, args, kwargs, options, task=None, **kw) -> dict:
    """Celery router: the platform queue for platform tasks, else the queue of the
    marketplace current when the task is sent (carried in the schema header)."""
    if task is not None and is_platform_task(task):
        return {"queue": PLATFORM_QUEUE}
    if task is None and name.startswith("celery."):
        return {"queue": PLATFORM_QUEUE}  # Celery's own (chord unlock, backend cleanup)
    headers = options.get("headers") or {}
    schema = headers.get(SCHEMA_HEADER) or connection.schema_name
    if schema == get_public_schema_name():
        raise TenantRequiredError(
            f"Task {name} belongs to a marketplace, but it was sent with none current. "
            "Send it inside tenant_context(tenant), or make it a platform task."
        )
    return {"queue": tenant_queue(schema)}


def served_queues(*, pinned: Iterable[str] | None = None, platform: bool = True) -> list[str]:
    """The queues a worker should consume now: every active marketplace's (or only the
    pinned ones, while active), plus the platform queue."""
    from shared_apps.tenants.models import Tenant
    from shared_apps.tenants.selectors import marketplace_tenants

    tenants = marketplace_tenants().filter(status=Tenant.Status.ACTIVE)
    if pinned is not None:
        tenants = tenants.filter(schema_name__in=list(pinned))
    queues = [tenant_queue(slug) for slug in tenants.values_list("schema_name", flat=True)]
    return ([PLATFORM_QUEUE] if platform else []) + sorted(queues)
