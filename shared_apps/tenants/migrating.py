"""Migrating every marketplace schema: only those behind, in parallel processes, going on
past failures.

A schema whose stored fingerprint (`Tenant.schema_fingerprint`) equals the code's is
current and skipped without asking Django to plan it, so a run with nothing to do over
1,000 schemas is one query. The others are migrated by a pool of forked processes, each
schema on its own (Django's migrate, as `migrate_schemas` does); a schema's fingerprint is
written as soon as it is migrated, so a run that fails or is interrupted leaves the
finished schemas marked current and a re-run picks up only what is left."""

from __future__ import annotations

import contextlib
import functools
import io
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django_tenants.signals import schema_migrated, schema_pre_migration
from django_tenants.utils import get_public_schema_name, get_tenant_base_migrate_command_class

from shared_apps.tenants.fingerprints import applied_fingerprint, code_fingerprint
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.pg_schemas import quick_migration_table_check

# One migration run at a time per database: two would race on the same schemas.
MIGRATE_LOCK_KEY = 0x7E4A_5002


class MigrationRunBusy(RuntimeError):
    pass


@dataclass(frozen=True)
class SchemaResult:
    schema: str
    ok: bool
    seconds: float
    applied: int = 0  # migrations applied in this run
    error: str = ""


@dataclass(frozen=True)
class Plan:
    todo: list[str]  # schemas behind the code, in the order they will run
    current: list[str]  # schemas already at the code's fingerprint (skipped)


def plan(*, only: Iterable[str] | None = None, force: bool = False) -> Plan:
    """Which marketplace schemas need migrating: one query, no per-schema planning."""
    fingerprint = code_fingerprint()
    rows = Tenant.objects.exclude(schema_name=get_public_schema_name()).order_by("schema_name")
    if only is not None:
        rows = rows.filter(schema_name__in=list(only))
    todo, current = [], []
    for schema, stored in rows.values_list("schema_name", "schema_fingerprint"):
        (current if stored == fingerprint and not force else todo).append(schema)
    return Plan(todo=todo, current=current)


def public_is_current() -> bool:
    return applied_fingerprint(get_public_schema_name()) == code_fingerprint()


@contextlib.contextmanager
def run_lock() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise MigrationRunBusy("Another migration run holds the lock; wait for it to end.")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_KEY])


def _applied_count(schema: str) -> int:
    table = f"{connection.ops.quote_name(schema)}.django_migrations"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


@functools.cache
def _migrate_options() -> dict:
    command = get_tenant_base_migrate_command_class()()
    defaults = vars(command.create_parser("manage.py", "migrate").parse_args([]))
    return {**defaults, "verbosity": 0, "interactive": False, "skip_checks": True}


def _migrate(schema: str) -> None:
    """Django's migrate on one schema, as django-tenants' executors run it (its signals
    included), but keeping the process's connection open from one schema to the next."""
    schema_pre_migration.send(migrate_one, schema_name=schema)
    connection.set_schema(schema, include_public=False)
    # The schema's own django_migrations must exist before migrate looks for it, or the
    # public one (next on the search path) would be read.
    MigrationRecorder(connection).ensure_schema()
    connection.set_schema(schema)
    command = get_tenant_base_migrate_command_class()(stdout=io.StringIO(), stderr=io.StringIO())
    command.execute(**_migrate_options())
    connection.set_schema_to_public()
    schema_migrated.send(migrate_one, schema_name=schema)


def migrate_one(schema: str) -> SchemaResult:
    """Migrates one marketplace schema (in a worker process) and records its fingerprint.
    Never raises: a failure is a result carrying the error."""
    started = time.perf_counter()
    try:
        before = _applied_count(schema)
        with quick_migration_table_check():
            _migrate(schema)
        fingerprint = applied_fingerprint(schema)
        Tenant.objects.filter(schema_name=schema).update(schema_fingerprint=fingerprint)
        applied = _applied_count(schema) - before
        ok = fingerprint == code_fingerprint()
        error = "" if ok else "migrations are still unapplied after migrating"
        return SchemaResult(schema, ok, time.perf_counter() - started, applied, error)
    except Exception as exc:  # reported with the schema; the run goes on with the others
        connection.close()  # a fresh connection for the next schema
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        return SchemaResult(schema, False, time.perf_counter() - started, error=message)
    finally:
        connection.set_schema_to_public()


def migrate_many(
    schemas: list[str],
    *,
    processes: int,
    on_result: Callable[[SchemaResult], None],
) -> list[SchemaResult]:
    """Migrates `schemas` in `processes` forked processes (the app registry and loaded
    migrations come along; each child opens its own database connection), calling
    `on_result` as each schema finishes."""
    results: list[SchemaResult] = []
    if not schemas:
        return results
    if processes <= 1:
        for schema in schemas:
            results.append(migrate_one(schema))
            on_result(results[-1])
        return results
    # A forked child must not share the parent's connection socket.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    pool = context.Pool(processes=min(processes, len(schemas)))
    try:
        for result in pool.imap_unordered(migrate_one, schemas):
            results.append(result)
            on_result(result)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    return results


class Progress:
    """A one-line progress bar on a terminal (count, rate, ETA), redrawn in place; on
    anything else a plain line every few seconds, so logs stay readable."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30) -> None:
        self.total, self.done, self.width = total, 0, width
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.last_plain = 0.0

    def line(self) -> str:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else 0
        filled = int(self.width * self.done / self.total) if self.total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        return (
            f"[{bar}] {self.done}/{self.total} schemas  {rate:.1f}/s  "
            f"elapsed {_clock(elapsed)}  ETA {_clock(left)}"
        )

    def clear(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[2K")

    def advance(self) -> None:
        self.done += 1
        now = time.perf_counter()
        if self.tty:
            self.stream.write("\r\x1b[2K" + self.line())
        elif now - self.last_plain >= 2 or self.done == self.total:
            self.last_plain = now
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
