"""Provisioning benchmark: time per marketplace on each of provisioning's three paths,
next to the floor PostgreSQL sets (an empty schema with one table, created and committed),
measured alongside each provisioning.

* pool: a spare schema, already migrated, renamed (what production does while the pool
  holds spares; shared_apps/tenants/pool.py);
* template: the template schema cloned (the pool is empty);
* replay: every migration replayed (no template either: a fresh database).

    make bench-provisioning   # or: .venv/bin/python bench/provisioning.py [--tenants 5]

Runs against a throw-away database `<DATABASE_URL's name>_bench`, dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import drop_database, summary, use_throwaway_database  # noqa: E402

PATHS = ("pool", "template", "replay")


def main(argv: list[str] | None = None) -> list[dict]:
    quick = os.environ.get("BENCH_QUICK") == "1"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1 if quick else 5, help="per path")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)

    bench_name = use_throwaway_database("bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["EMAIL_URL"] = "dummymail://"  # invites are part of the work, not of the output

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from shared_apps.tenants.pool import pool_drain, pool_refill
    from shared_apps.tenants.services import platform_ensure_public_tenant, tenant_provision

    times: dict[str, list[float]] = {path: [] for path in PATHS}
    floor: list[float] = []

    def floor_once() -> None:
        n = len(floor)
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "floor_{n}"')
            cursor.execute(f'CREATE TABLE "floor_{n}".t (id uuid PRIMARY KEY)')
        floor.append(time.perf_counter() - started)

    def provision(expected: str) -> None:
        n = sum(len(v) for v in times.values())
        floor_once()  # the baseline, taken alongside
        started = time.perf_counter()
        result = tenant_provision(
            name=f"Bench {n}", slug=f"bench-{n}", admin_email=f"admin{n}@bench.test"
        )
        times[expected].append(time.perf_counter() - started)
        if result.schema_source != expected:
            raise SystemExit(f"expected the {expected} path, got {result.schema_source}")

    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        platform_ensure_public_tenant()
        pool_drain()
        for _ in range(args.tenants):
            provision("replay")
        pool_refill(size=0)  # the template only
        for _ in range(args.tenants):
            provision("template")
        pool_refill(size=args.tenants)  # untimed: beat does this in the background
        for _ in range(args.tenants):
            provision("pool")
        pool_drain()

        print(f"Provisioning {args.tenants} marketplaces per path (schema, domain, admin):")
        for path in PATHS:
            print(summary(f"tenant_provision ({path})", times[path]))
        print(summary("baseline: empty schema", floor))
        base = statistics.median(floor)
        rows = []
        for path in PATHS:
            median = statistics.median(times[path])
            rows.append({
                "case": f"provisioning a marketplace ({path})", "ratio": median / base,
                "goal": None, "lower_is_better": True,
                "shown": f"{median * 1000:.0f} ms ({median / base:.0f}x an empty schema)",
            })  # fmt: skip
        return rows
    finally:
        connection.close()
        if not args.keep:
            drop_database(bench_name)


if __name__ == "__main__":
    main()
