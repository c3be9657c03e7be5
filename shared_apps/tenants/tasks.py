"""Background work of the platform about marketplaces' schemas."""

from __future__ import annotations

from dataclasses import asdict

from shared_apps.core.tasks import platform_task


@platform_task(name="tenants.refill_schema_pool")
def refill_schema_pool() -> dict:
    """Keeps SCHEMA_POOL_SIZE spare schemas at the code's migration state (sent after each
    claim and on beat's schedule; a refill already running makes this one a no-op)."""
    from shared_apps.tenants.pool import pool_refill

    return asdict(pool_refill())
