"""pg_dump and pg_restore around one schema, and loading a dump under another schema name.

PostgreSQL has no "restore this schema under that name", so a dump is loaded as SQL text:
pg_dump qualifies every object with its schema, and the one spelling of the source schema
(`CREATE SCHEMA <name>;` tells how pg_dump quoted it) is rewritten to the target wherever it
qualifies a name in the DDL. Table data (COPY blocks) is never rewritten, so rows that
happen to contain the old name stay as they were. Loading runs in the caller's transaction.
Used by the per-marketplace backup and restore (shared_apps.tenants.backups)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from django.db import connection


class DumpError(RuntimeError):
    """pg_dump or pg_restore failed, or a dump is not what we expect."""


_CREATE_SCHEMA = re.compile(r"^CREATE SCHEMA (?P<ident>.+);$", re.MULTILINE)
# pg_dump's session settings: skipped, the caller's connection keeps its own (its search
# path matters to Django; every object in the dump is schema-qualified anyway).
_SESSION_SETTING = re.compile(r"^(SET |SELECT pg_catalog\.set_config\()")


def _client(program: str) -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = [program, "--no-password", "--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(args: list[str], env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise DumpError(f"{args[0]} is not installed (PostgreSQL client tools).") from exc
    if done.returncode != 0:
        raise DumpError(f"{args[0]} failed: {done.stderr.strip()}")
    return done.stdout


def _pattern(schema_name: str) -> str:
    # A double-quoted pattern matches the name exactly (no wildcards, case kept).
    return '"' + schema_name.replace('"', '""') + '"'


def dump_schema_archive(schema_name: str, path: Path, *, snapshot: str = "") -> None:
    """`schema_name` in pg_dump's custom format, at `path`: as committed, or as seen by an
    exported snapshot (`pg_export_snapshot()` of a transaction still open)."""
    args, env = _client("pg_dump")
    if snapshot:
        args += ["--snapshot", snapshot]
    _run(
        [*args, "--schema", _pattern(schema_name), "--strict-names", "--no-owner",
         "--no-privileges", "--format", "custom", "--file", str(path)],
        env,
    )  # fmt: skip


def archive_sql(path: Path, *sections: str) -> str:
    """SQL text of the given sections (pre-data, data, post-data) of a custom-format dump."""
    options = [f"--section={section}" for section in sections]
    return _run(["pg_restore", "--no-owner", "--no-privileges", *options, "--file", "-", str(path)])


def archive_check(path: Path) -> None:
    """Raises DumpError unless pg_restore can read the dump's table of contents."""
    _run(["pg_restore", "--list", str(path)])


def dumped_schema(sql: str) -> str:
    """How the dump spells its schema (as pg_dump quoted it)."""
    found = _CREATE_SCHEMA.search(sql)
    if found is None:
        raise DumpError("The dump does not create a schema.")
    return found.group("ident")


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def renamed(sql: str, *, source_ident: str, target: str) -> str:
    """`sql` with the schema `source_ident` (as spelled in the dump) renamed to `target`
    wherever it qualifies a name or is created. Call on DDL only, never on COPY data."""
    pattern = re.compile(r"(?<![\w\"$.])" + re.escape(source_ident) + r"(?=[.;])")
    return pattern.sub(lambda _: quote_ident(target), sql)


def run_sql(sql: str, *, source_ident: str | None = None, target: str | None = None) -> None:
    """Runs pg_dump's SQL text on the current connection, in the caller's transaction,
    renaming the schema on the way when `target` is given. COPY blocks are fed through
    psycopg's COPY support; everything between them runs as one multi-statement batch."""
    rename = (
        (lambda text: renamed(text, source_ident=source_ident, target=target))
        if target is not None and source_ident is not None
        else (lambda text: text)
    )
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor: COPY, and no parameter parsing
        batch: list[str] = []
        lines = iter(sql.splitlines(keepends=True))

        def flush() -> None:
            text = "".join(batch).strip()
            batch.clear()
            if text:
                cursor.execute(rename(text))

        in_statement = False
        for line in lines:
            if not in_statement:
                if not line.strip() or line.startswith("--") or line.startswith("\\"):
                    continue  # comments, blank lines, psql meta-commands (\restrict)
                if _SESSION_SETTING.match(line):
                    continue
                if line.startswith("COPY ") and line.rstrip().endswith("FROM stdin;"):
                    flush()
                    data = []
                    for row in lines:
                        if row.rstrip("\r\n") == "\\.":
                            break
                        data.append(row)
                    else:
                        raise DumpError("A COPY block of the dump is not terminated.")
                    with cursor.copy(rename(line.rstrip().rstrip(";"))) as copy:
                        copy.write("".join(data))
                    continue
            batch.append(line)
            in_statement = not line.rstrip().endswith(";")
        flush()
