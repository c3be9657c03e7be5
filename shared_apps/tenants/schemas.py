"""PostgreSQL schema lifecycle of a marketplace. The only module that runs schema DDL."""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_exists

from shared_apps.tenants.models import Tenant


def _quoted(schema_name: str) -> str:
    return connection.ops.quote_name(schema_name)


def schema_create(*, tenant: Tenant) -> None:
    """Creates the marketplace's schema and migrates it. Runs inside the caller's transaction
    (PostgreSQL DDL is transactional), so a failure leaves no schema behind."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {_quoted(tenant.schema_name)}")
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=tenant.schema_name,
        interactive=False,
        verbosity=0,
    )
    connection.set_schema_to_public()


def schema_drop(*, tenant: Tenant) -> None:
    if schema_exists(tenant.schema_name):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {_quoted(tenant.schema_name)} CASCADE")
