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

from bench.common import drop_database, summary, use_throwaway_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    bench_name = use_throwaway_database("bench")
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
        print(summary("tenant_provision", provisioning))
        print(summary("baseline: empty schema", baseline))
        ratio = statistics.median(provisioning) / statistics.median(baseline)
        print(f"ratio provisioning/baseline (medians): {ratio:.1f}x")
    finally:
        connection.close()
        if not args.keep:
            drop_database(bench_name)


if __name__ == "__main__":
    main()
