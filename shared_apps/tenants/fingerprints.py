"""Which migration state a schema is in, as one short string.

A marketplace schema records every migration of the project in its own `django_migrations`
(Django records the shared apps' migrations there too, as applied without effect). The
schema is current when every migration the code holds is applied, so its state is summed up
by a hash of the applied migrations that the code knows: equal to the hash of all the code's
migrations exactly when nothing is left to apply. The hash is stored per marketplace
(`Tenant.schema_fingerprint`) and per spare schema, so finding the schemas that need work is
one query, without asking Django to plan a migration per schema."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

Key = tuple[str, str]  # (app label, migration name)


def fingerprint(keys: Iterable[Key]) -> str:
    text = "\n".join(sorted(f"{app}.{name}" for app, name in keys))
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _code_migrations(_modules: str, _apps: tuple[str, ...]) -> frozenset[Key]:
    # Without a connection the loader sees nothing applied, so squashed migrations stand in
    # for the ones they replace: the graph is what a fresh schema ends up with.
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def code_migrations() -> frozenset[Key]:
    """Every migration the code holds (the graph up to its leaves). Loaded once per process
    and per settings (tests and benchmarks swap migration modules)."""
    return _code_migrations(
        repr(sorted(getattr(settings, "MIGRATION_MODULES", {}).items())),
        tuple(settings.INSTALLED_APPS),
    )


def code_fingerprint() -> str:
    return fingerprint(code_migrations())


def applied_fingerprint(schema_name: str) -> str:
    """The fingerprint of what is applied in `schema_name` (that of nothing when the schema
    has no django_migrations yet, e.g. public in a new database)."""
    table = f"{connection.ops.quote_name(schema_name)}.django_migrations"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [table])
        if cursor.fetchone()[0] is None:
            return fingerprint(())
        cursor.execute(f"SELECT app, name FROM {table}")  # noqa: S608
        applied = {(app, name) for app, name in cursor.fetchall()}
    return fingerprint(applied & code_migrations())
