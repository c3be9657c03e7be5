"""Provisioning benchmark: time per marketplace for N new tenants (default 20).

Runs against a throw-away database `<DATABASE_URL's name>_bench` on the configured server,
so the dev data is untouched, and drops it at the end. Prints per-tenant times and, as the
baseline measured in the same run, the floor PostgreSQL sets: an empty schema with one table
created and committed. The ratio says how far provisioning is from that floor.

    make bench                         # or: .venv/bin/python bench/provisioning.py --tenants 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _bench_database_url() -> tuple[str, str]:
    import environ

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rental")
    name = environ.Env.db_url_config(url)["NAME"]
    return url.rsplit("/", 1)[0] + f"/{name}_bench", f"{name}_bench"


def _recreate_database(name: str) -> None:
    import psycopg

    admin_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(name: str) -> None:
    import psycopg

    admin_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _summary(label: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (
        f"{label:<28} n={len(ms):<4} mean={statistics.mean(ms):7.1f} ms  "
        f"median={statistics.median(ms):7.1f} ms  p95={p95:7.1f} ms  "
        f"min={ms[0]:7.1f} ms  max={ms[-1]:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rental")
    bench_url, bench_name = _bench_database_url()
    _recreate_database(bench_name)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["EMAIL_URL"] = "dummymail://"  # invites are part of the work, not of the output

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from shared_apps.tenants.services import platform_ensure_public_tenant, tenant_provision

    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        platform_ensure_public_tenant()

        baseline = []
        for n in range(args.tenants):
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "floor_{n}"')
                cursor.execute(f'CREATE TABLE "floor_{n}".t (id uuid PRIMARY KEY)')
            baseline.append(time.perf_counter() - started)

        provisioning = []
        for n in range(args.tenants):
            started = time.perf_counter()
            tenant_provision(
                name=f"Bench {n}", slug=f"bench-{n}", admin_email=f"admin{n}@bench.test"
            )
            provisioning.append(time.perf_counter() - started)

        print(f"Provisioning {args.tenants} marketplaces (schema, migrations, domain, admin):")
        print(_summary("tenant_provision", provisioning))
        print(_summary("baseline: empty schema", baseline))
        ratio = statistics.median(provisioning) / statistics.median(baseline)
        print(f"ratio provisioning/baseline (medians): {ratio:.1f}x")
    finally:
        connection.close()
        if not args.keep:
            _drop_database(bench_name)


if __name__ == "__main__":
    main()
