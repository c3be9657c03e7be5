"""PostgreSQL schema lifecycle of a marketplace. The only module that runs schema DDL.

A new marketplace's schema comes, fastest first, from
  1. the pool: a spare schema, already migrated, renamed to the slug (a catalog update);
  2. the template: a migrated schema cloned into the slug (`schema_clone`: every table,
     row, constraint, index and sequence, with the template's names and types);
  3. replaying every migration, when neither is at the code's migration state.
Every path runs inside the caller's transaction (PostgreSQL DDL is transactional), so a
failure leaves no schema behind, and a claimed spare goes back to the pool."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator

from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django_tenants.utils import schema_exists

from shared_apps.tenants.fingerprints import applied_fingerprint

logger = logging.getLogger(__name__)

POOL = "pool"
TEMPLATE = "template"
REPLAY = "replay"


def quoted(schema_name: str) -> str:
    return connection.ops.quote_name(schema_name)


def schema_create(*, tenant) -> str:
    """Creates the marketplace's schema at the code's migration state and records that
    state on the tenant. Returns where the schema came from: "pool", "template" or "replay"."""
    from shared_apps.tenants import pool

    name = tenant.schema_name
    fingerprint = pool.spare_claim(schema_name=name)
    source = POOL
    if fingerprint is None:
        fingerprint = pool.template_clone(schema_name=name)
        source = TEMPLATE
    if fingerprint is None:
        fingerprint = schema_migrate_new(schema_name=name)
        source = REPLAY
    tenant.schema_fingerprint = fingerprint
    tenant.save(update_fields=["schema_fingerprint"])
    connection.set_schema_to_public()
    return source


@contextlib.contextmanager
def quick_migration_table_check() -> Iterator[None]:
    """Django asks whether `django_migrations` exists by listing every table on the search
    path (`pg_table_is_visible` over all of pg_class), several times per migrate run; with
    1,000 schemas pg_class holds ~70,000 rows and each ask takes ~100 ms. `to_regclass`
    answers the same question (visible on the search path) through the catalog's index."""
    original = MigrationRecorder.has_table

    def has_table(recorder: MigrationRecorder) -> bool:
        if recorder._has_table:
            return True
        name = recorder.connection.ops.quote_name(recorder.Migration._meta.db_table)
        with recorder.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            recorder._has_table = cursor.fetchone()[0]
        return recorder._has_table

    MigrationRecorder.has_table = has_table
    try:
        yield
    finally:
        MigrationRecorder.has_table = original


def schema_migrate_new(*, schema_name: str) -> str:
    """CREATE SCHEMA and every migration replayed into it (the slow path). Returns the
    fingerprint of what got applied."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {quoted(schema_name)}")
    with quick_migration_table_check():
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=schema_name,
            interactive=False,
            verbosity=0,
        )
    connection.set_schema_to_public()
    return applied_fingerprint(schema_name)


def schema_rename(*, old: str, new: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER SCHEMA {quoted(old)} RENAME TO {quoted(new)}")


def schema_clone(*, source: str, target: str) -> None:
    """Copies `source` (tables, rows, sequence positions, constraints, indexes, foreign
    keys) into the new schema `target`, keeping every name and type. Tables are copied by
    `CREATE TABLE ... (LIKE ... INCLUDING ALL)`, which copies expressions (the exclusion
    constraint's WHERE clause, expression indexes) as parse trees, so they read exactly as
    in the source; re-parsing them from text (a pg_dump) spells them differently. Raises
    CloneError for a schema holding anything but tables, their indexes and identity
    sequences (views, functions, types): the caller then replays migrations."""
    source_q, target_q = quoted(source), quoted(target)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relkind FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
            [source],
        )
        relations = cursor.fetchall()
        unexpected = sorted(name for name, kind in relations if kind not in ("r", "i", "S"))
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = n.oid)"
            " + (SELECT count(*) FROM pg_type t WHERE t.typnamespace = n.oid AND t.typrelid = 0"
            "    AND t.typelem = 0) FROM pg_namespace n WHERE n.nspname = %s",
            [source],
        )
        if unexpected or cursor.fetchone()[0]:
            raise CloneError(f"{source} holds objects a clone doesn't copy: {unexpected}")
        tables = sorted(name for name, kind in relations if kind == "r")
        cursor.execute(
            """SELECT c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
               FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = %s AND c.relkind = 'r' AND a.attnum > 0
                 AND NOT a.attisdropped AND a.attgenerated = ''
               GROUP BY c.relname""",
            [source],
        )
        columns = dict(cursor.fetchall())
        cursor.execute(
            """SELECT rel.relname, con.conname, pg_get_constraintdef(con.oid)
               FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
               JOIN pg_namespace n ON n.oid = con.connamespace
               WHERE n.nspname = %s AND con.contype = 'f' ORDER BY 1, 2""",
            [source],
        )
        foreign_keys = cursor.fetchall()
        positions = []
        for sequence in sorted(name for name, kind in relations if kind == "S"):
            cursor.execute(
                f"SELECT last_value, is_called FROM {source_q}.{quoted(sequence)}"  # noqa: S608
            )
            positions.append((sequence, *cursor.fetchone()))

        statements = [f"CREATE SCHEMA {target_q}"]
        for table in tables:
            statements += [
                f"CREATE TABLE {target_q}.{quoted(table)} "
                f"(LIKE {source_q}.{quoted(table)} INCLUDING ALL)",
                f"INSERT INTO {target_q}.{quoted(table)} ({columns[table]}) "  # noqa: S608
                f"OVERRIDING SYSTEM VALUE SELECT {columns[table]} FROM {source_q}.{quoted(table)}",
            ]
        for sequence, last_value, is_called in positions:
            regclass = f"{target_q}.{quoted(sequence)}".replace("'", "''")
            statements.append(f"SELECT setval('{regclass}', {int(last_value)}, {bool(is_called)})")
        # Foreign keys between the source's tables point at the target's; those into the
        # public schema (users) stay as they are.
        spellings = sorted({source_q, source}, key=len, reverse=True)
        source_prefix = re.compile(
            r"(?<![\w\"$.])(" + "|".join(re.escape(x) for x in spellings) + r")\."
        )
        for table, name, definition in foreign_keys:
            statements.append(
                f"ALTER TABLE {target_q}.{quoted(table)} ADD CONSTRAINT {quoted(name)} "
                + source_prefix.sub(lambda _: f"{target_q}.", definition)
            )
        cursor.execute(";\n".join(statements))
    _align_names(source=source, target=target)


class CloneError(RuntimeError):
    """The source schema holds something schema_clone does not copy."""


def schema_drop(*, tenant=None, schema_name: str | None = None) -> None:
    name = schema_name or tenant.schema_name
    if schema_exists(name):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {quoted(name)} CASCADE")


def schema_names_like(prefix: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s) ORDER BY 1", [prefix]
        )
        return [row[0] for row in cursor.fetchall()]


def schema_lock_writes(*, schema_name: str) -> None:
    """Blocks writes to every table of the schema until the transaction ends; reads (and
    pg_dump, which only reads) go on."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY 1",
            [schema_name],
        )
        tables = [f"{quoted(schema_name)}.{quoted(row[0])}" for row in cursor.fetchall()]
        if tables:
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")


# --- Comparing schemas ---------------------------------------------------------------------


def _normalized(text: str, schema_name: str) -> str:
    """A definition with the schema's own name taken out, so two schemas compare."""
    return re.sub(r"(?<![\w\"$])(" + re.escape(quoted(schema_name)) + "|" + re.escape(
        schema_name) + r")\.", "<schema>.", text)  # fmt: skip


def schema_signature(schema_name: str, parts: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """What a schema is made of: tables and columns (types, nullability, defaults,
    identity), constraints and indexes (names and definitions), sequences (and their
    positions) and the applied migrations. Two schemas with equal signatures are built the
    same; used to check that every provisioning path gives what replaying migrations gives."""
    queries = {
        "columns": """
            SELECT table_name, column_name, data_type, character_maximum_length,
                   numeric_precision, numeric_scale, is_nullable, column_default,
                   is_identity, identity_generation
            FROM information_schema.columns WHERE table_schema = %s ORDER BY 1, 2""",
        "constraints": """
            SELECT rel.relname, con.conname, con.contype, pg_get_constraintdef(con.oid),
                   con.condeferrable, con.condeferred
            FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = con.connamespace
            WHERE n.nspname = %s ORDER BY 1, 2""",
        "indexes": """
            SELECT tablename, indexname, indexdef FROM pg_indexes
            WHERE schemaname = %s ORDER BY 1, 2""",
        "sequences": """
            SELECT sequencename, data_type::text, start_value, min_value, max_value,
                   increment_by, cycle, cache_size, last_value
            FROM pg_sequences WHERE schemaname = %s ORDER BY 1""",
        "relations": """
            SELECT c.relname, c.relkind FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s ORDER BY 1""",
    }
    signature: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        for part, sql in queries.items():
            if parts and part not in parts:
                continue
            cursor.execute(sql, [schema_name])
            signature[part] = [
                tuple(_normalized(v, schema_name) if isinstance(v, str) else v for v in row)
                for row in cursor.fetchall()
            ]
        if not parts or "migrations" in parts:
            cursor.execute(
                f"SELECT app, name FROM {quoted(schema_name)}.django_migrations ORDER BY 1, 2"  # noqa: S608
            )
            signature["migrations"] = cursor.fetchall()
    return signature


def _align_names(*, source: str, target: str) -> None:
    """Puts back what `CREATE TABLE ... (LIKE ... INCLUDING ALL)` changes: it names unique
    constraints and indexes itself (`<table>_<columns>_key`) where Django named them with a
    hash, and a later migration that drops or alters one by name must find it; and
    clone_schema makes every identity sequence bigint, where an `integer` column had an
    `integer` sequence. Matches by table and definition."""
    parts = ("constraints", "indexes", "sequences")
    want, have = schema_signature(source, parts), schema_signature(target, parts)
    statements = []
    by_definition = {(t, kind, d): name for t, name, kind, d, *_ in want["constraints"]}
    renamed_indexes = set()
    for table, name, kind, definition, *_ in have["constraints"]:
        expected = by_definition.get((table, kind, definition))
        if expected and expected != name:
            statements.append(
                f"ALTER TABLE {quoted(target)}.{quoted(table)} "
                f"RENAME CONSTRAINT {quoted(name)} TO {quoted(expected)}"
            )
            renamed_indexes.add(name)  # a unique constraint's index follows its rename

    def shape(definition: str) -> str:
        return re.sub(r"INDEX \S+ ON", "INDEX ON", definition, count=1)

    by_shape = {(table, shape(d)): name for table, name, d in want["indexes"]}
    for table, name, definition in have["indexes"]:
        expected = by_shape.get((table, shape(definition)))
        if expected and expected != name and name not in renamed_indexes:
            statements.append(
                f"ALTER INDEX {quoted(target)}.{quoted(name)} RENAME TO {quoted(expected)}"
            )
    types = {row[0]: row[1] for row in want["sequences"]}
    for sequence, data_type, *_ in have["sequences"]:
        if sequence in types and types[sequence] != data_type:
            statements.append(
                f"ALTER SEQUENCE {quoted(target)}.{quoted(sequence)} AS {types[sequence]}"
            )
    if statements:
        with connection.cursor() as cursor:
            cursor.execute(";\n".join(statements))
