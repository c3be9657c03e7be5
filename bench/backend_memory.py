"""Backend memory benchmark: one process with one persistent PostgreSQL connection serving
1,000 marketplaces round-robin, against the same process serving one marketplace.

A PostgreSQL backend caches the catalog entries of every table it has used and never
frees them, so a connection that serves many marketplace schemas grows with each one. The
platform recycles a connection once it has queried DATABASE_SCHEMAS_PER_CONNECTION schemas
(shared_apps.core.postgresql_backend). This script measures, in one run:

* backend memory (max over the run) while round-robin requests go through Django's WSGI
  handler (request_started / request_finished, persistent connection, as under gunicorn),
  with the bound (the platform's setting) and without it (DATABASE_SCHEMAS_PER_CONNECTION=0);
  memory is PostgreSQL's own accounting of the backend (pg_backend_memory_contexts, of which
  CacheMemoryContext holds the catalog caches) and the backend process's private memory
  (RssAnon of /proc/<pid>/status);
* request latency (median and p95) of the round-robin requests next to requests to one
  marketplace, in alternating slices of the same run, with the bound on.

Requests: a search (city + guests) and a property detail, listings cache off, in a throw-away
database. The first marketplace is provisioned with listings; the others are clones of its
schema (shared_apps.tenants.pg_schemas.schema_clone) by a few processes; on the shared 2-core
machine a clone took 0.5-2 s, so 1,000 take 10-30 minutes: `--tenants 200` is a quick mode,
and `--keep` keeps the database for the next run (`--reuse` uses it, cloning only what is
missing).

    .venv/bin/python bench/backend_memory.py [--tenants 1000] [--keep | --reuse] [--json]

`make bench` runs it with `--tenants 200` (the issue's table row; the clones take minutes, not
half an hour); `make bench-backend-memory` with 1,000. BENCH_QUICK=1: 20 marketplaces, one pass.

`main(argv)` returns the rows ({case, value, baseline, ratio, goal, met, shown, table_case}:
the row of `make bench`'s table it answers) as well as printing them.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SUFFIX = "bench_memory"
FIRST = "mem-0000"
MEMORY_GOAL_MB = 64
LATENCY_GOAL = 1.2
CITIES = ["Paris", "Lyon", "Zurich", "Berlin", "Rome"]
# The rows of `make bench`'s table (bench/run_all.py) these answer; each row's `shown` says
# how many marketplaces this run served.
MEMORY_CASE = "PostgreSQL backend memory after one persistent connection served 200 marketplaces"
LATENCY_CASE = "request latency, marketplaces served round-robin by one worker, vs one marketplace"


def _setup(*, reuse: bool) -> str:
    from bench.common import configured_database_url

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DEBUG"] = "false"  # no query log, no debug pages: as in production
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ["LISTINGS_CACHE"] = "0"  # every request reaches PostgreSQL
    os.environ["DB_CONN_MAX_AGE"] = "3600"  # persistent: only the bound closes it
    os.environ["CELERY_KEY_PREFIX"] = f"bench-memory-{os.getpid()}:"
    os.environ["CACHE_KEY_PREFIX"] = f"bench-memory-{os.getpid()}"
    if reuse:
        import environ

        url = configured_database_url()
        name = f"{environ.Env.db_url_config(url)['NAME']}_{SUFFIX}"
        os.environ["BENCH_ORIGINAL_DATABASE_URL"] = url
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
    else:
        from bench.common import use_throwaway_database

        name = use_throwaway_database(SUFFIX)

    import django

    django.setup()
    return name


def seed_first() -> None:
    """The first marketplace, provisioned as the platform does, with 30 published listings."""
    from django.core.management import call_command
    from django_tenants.utils import tenant_context

    from shared_apps.accounts.selectors import user_by_email
    from shared_apps.tenants.services import platform_ensure_public_tenant, tenant_provision
    from tenant_apps.listings.models import Property

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    platform_ensure_public_tenant()
    tenant = tenant_provision(name="Mem 0", slug=FIRST, admin_email="admin@mem.test").tenant
    host = user_by_email(email="admin@mem.test")
    with tenant_context(tenant):
        Property.objects.bulk_create(
            Property(
                host=host, title=f"Stay {n}", street="1 Main St", city=CITIES[n % 5],
                country="FR", status="published", latitude=Decimal("48.85"),
                longitude=Decimal("2.35"), nightly_price=Decimal(50 + n), max_guests=4,
                bedrooms=2, property_type="apartment", min_nights=1,
            )
            for n in range(30)
        )  # fmt: skip


def _clone(slugs: list[str]) -> None:
    from django.conf import settings
    from django.db import connection

    from shared_apps.tenants import pg_schemas as schemas
    from shared_apps.tenants.models import Domain, Tenant
    from shared_apps.tenants.pg_schemas import quoted, schema_clone

    # Index and constraint names don't matter here, and aligning them reads pg_sequences,
    # whose cost grows with every schema in the database (1-2 s per clone past a few hundred
    # marketplaces here): skipped, so the clones take the same time at 1,000 as at 10.
    schemas._align_names = lambda **kwargs: None
    fingerprint = Tenant.objects.get(schema_name=FIRST).schema_fingerprint
    for slug in slugs:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:  # left half-made by an interrupted run
            cursor.execute(f"DROP SCHEMA IF EXISTS {quoted(slug)} CASCADE")
        schema_clone(source=FIRST, target=slug)
        tenant = Tenant(schema_name=slug, name=slug, schema_fingerprint=fingerprint)
        Tenant.objects.bulk_create([tenant])  # bulk: no save(), the schema exists already
        domain = f"{slug}.{settings.PLATFORM_DOMAIN}"
        Domain.objects.bulk_create(
            [Domain(domain=domain, tenant=tenant, is_primary=True, kind=Domain.Kind.SUBDOMAIN)]
        )
    connection.close()


def clone_marketplaces(count: int, processes: int) -> float:
    """Marketplaces 1..count-1 as clones of the first one's schema (rows included), with
    their tenant and domain rows, made by `processes` processes. Returns seconds per
    marketplace (wall time)."""
    import multiprocessing

    from django.db import connection

    from shared_apps.tenants.models import Tenant

    existing = set(Tenant.objects.values_list("schema_name", flat=True))
    slugs = [f"mem-{n:04d}" for n in range(1, count) if f"mem-{n:04d}" not in existing]
    connection.close()  # the forked processes open their own
    started = time.perf_counter()
    chunks = [slugs[i : i + 50] for i in range(0, len(slugs), 50)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        for done, _ in enumerate(pool.imap_unordered(_clone, chunks), 1):
            print(f"  cloned {min(done * 50, len(slugs))}/{len(slugs)}", flush=True)
    return (time.perf_counter() - started) / max(1, len(slugs))


class Server:
    """Django's WSGI handler called in-process: the request_started / request_finished
    signals fire as under gunicorn, so persistent connections behave as in production."""

    def __init__(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()

    def get(self, host: str, path: str, query: str = "") -> tuple[int, float]:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": host, "SERVER_PORT": "80", "HTTP_HOST": host,
            "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr, "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False,
        }  # fmt: skip
        status = []
        started = time.perf_counter()
        response = self.handler(environ, lambda s, h, *a: status.append(s))
        try:
            b"".join(response)
        finally:
            response.close()  # request_finished: where the bound closes the connection
        elapsed = time.perf_counter() - started
        return int(status[0].split()[0]), elapsed


def backend_memory() -> tuple[float, float] | None:
    """(PostgreSQL's accounted memory, the process's private memory) of the largest of this
    process's backends (the current connection and the other groups' idle ones), in MB;
    None while no connection is open."""
    from django.db import connection

    raws = [connection.connection, *(held[0] for held in connection.parked.values())]
    samples = [_memory_of(raw) for raw in raws if raw is not None and not raw.closed]
    if not samples:
        return None
    return max(s[0] for s in samples), max(s[1] for s in samples)


def _memory_of(raw) -> tuple[float, float]:
    accounted = raw.execute("SELECT sum(total_bytes) FROM pg_backend_memory_contexts")
    accounted = float(accounted.fetchone()[0]) / 2**20
    try:
        status = Path(f"/proc/{raw.info.backend_pid}/status").read_text()
        anon_kb = next(int(line.split()[1]) for line in status.splitlines() if "RssAnon" in line)
        private = anon_kb / 1024
    except (OSError, StopIteration):  # PostgreSQL on another machine
        private = float("nan")
    return accounted, private


def requests_for(slug: str, property_id: str):
    from django.conf import settings

    host = f"{slug}.{settings.PLATFORM_DOMAIN}"
    return [
        (host, "/api/v1/properties", "city=Paris&guests=2"),
        (host, f"/api/v1/properties/{property_id}", ""),
    ]


def serve(server: Server, calls: list, memory: list) -> list[float]:
    """Runs the calls; samples backend memory after every tenth and the last (a slice may
    be shorter than ten calls). Returns the latencies."""
    latencies = []
    for n, call in enumerate(calls):
        code, seconds = server.get(*call)
        if code != 200:
            raise SystemExit(f"{call} answered {code}")
        latencies.append(seconds)
        if n % 10 == 9 or n == len(calls) - 1:
            sample = backend_memory()
            if sample:
                memory.append(sample)
    return latencies


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(tenants: int, rounds: int, slices: int) -> list[dict]:
    from django.conf import settings
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenant_apps.listings.models import Property

    with schema_context(FIRST):
        property_id = str(Property.objects.order_by("title").values_list("id", flat=True)[0])
    slugs = [f"mem-{n:04d}" for n in range(tenants)]
    server = Server()
    budget = settings.DATABASE_SCHEMAS_PER_CONNECTION
    # Enough groups that each backend's share of the marketplaces stays under the budget
    # (the hash spreads them unevenly: half as many again).
    groups = max(1, math.ceil(1.5 * tenants / budget)) if budget else 1
    settings.DATABASE_CONNECTION_GROUPS = groups
    connection.close()

    # Round-robin over every marketplace `rounds` times, cut into slices that alternate with
    # as many requests to the first marketplace alone.
    round_robin = [c for _ in range(rounds) for s in slugs for c in requests_for(s, property_id)]
    single = requests_for(FIRST, property_id) * (len(round_robin) // 2)
    serve(server, requests_for(FIRST, property_id) * 20, [])  # imports, caches: not measured
    bounded_memory: list[tuple[float, float]] = []
    rr_latency: list[float] = []
    single_latency: list[float] = []
    size = -(-len(round_robin) // slices)
    for start in range(0, len(round_robin), size):
        single_latency += serve(server, single[start : start + size], [])
        rr_latency += serve(server, round_robin[start : start + size], bounded_memory)
        print(f"  {start + size}/{len(round_robin)} round-robin requests", flush=True)

    # One connection for every marketplace, with the bound: it is recycled over and over.
    settings.DATABASE_CONNECTION_GROUPS = 1
    connection.close()
    one_memory: list[tuple[float, float]] = []
    one_latency = serve(server, round_robin, one_memory)

    # The same round-robin without the bound: what one connection grows to.
    settings.DATABASE_SCHEMAS_PER_CONNECTION = 0
    connection.close()
    unbounded_memory: list[tuple[float, float]] = []
    unbounded_latency = serve(server, round_robin, unbounded_memory)
    settings.DATABASE_SCHEMAS_PER_CONNECTION = budget
    connection.close()

    if not bounded_memory or not unbounded_memory:
        raise SystemExit("no backend memory sample: every sample found the connection closed")
    bounded = max(m[0] for m in bounded_memory), max(m[1] for m in bounded_memory)
    unbounded = max(m[0] for m in unbounded_memory), max(m[1] for m in unbounded_memory)
    single_ms = statistics.median(single_latency) * 1000
    rr_ms = statistics.median(rr_latency) * 1000
    one = max(m[0] for m in one_memory), max(m[1] for m in one_memory)
    one_ms = statistics.median(one_latency) * 1000
    print(
        f"Backend memory (largest backend), {tenants} marketplaces round-robin x{rounds}, "
        f"bound {budget} schemas per connection:\n"
        f"  {groups} connection groups:  max {bounded[0]:6.1f} MB accounted by PostgreSQL, "
        f"{bounded[1]:6.1f} MB private\n"
        f"  one connection:       max {one[0]:6.1f} MB accounted, {one[1]:6.1f} MB private\n"
        f"  one, no bound:        max {unbounded[0]:6.1f} MB accounted, "
        f"{unbounded[1]:6.1f} MB private\n"
        f"Request latency (ms), median / p95, {len(rr_latency)} requests each:\n"
        f"  one marketplace                  {single_ms:7.2f} / {p95(single_latency) * 1000:7.2f}\n"
        f"  round-robin, {groups} groups, bound   {rr_ms:7.2f} / {p95(rr_latency) * 1000:7.2f}  "
        f"({rr_ms / single_ms:.2f}x)\n"
        f"  round-robin, one connection, bound {one_ms:7.2f} / {p95(one_latency) * 1000:7.2f}  "
        f"({one_ms / single_ms:.2f}x)\n"
        f"  round-robin, one, no bound       {statistics.median(unbounded_latency) * 1000:7.2f} / "
        f"{p95(unbounded_latency) * 1000:7.2f}",
        flush=True,
    )
    settings.DATABASE_CONNECTION_GROUPS = 1
    memory = max(bounded)  # the larger of the two measures
    latency = rr_ms / single_ms
    return [
        {
            "case": f"PostgreSQL backend memory, one persistent connection serving {tenants} "
            f"marketplaces round-robin (MB, max; bound {budget} schemas per connection; "
            "baseline: no bound)",
            "table_case": MEMORY_CASE,
            "value": round(memory, 1),
            "baseline": round(max(unbounded), 1),
            "ratio": round(memory / max(unbounded), 2),
            # Judged on the megabytes (the goal is a size), not on the ratio to no bound.
            "met": memory <= MEMORY_GOAL_MB,
            "goal": MEMORY_GOAL_MB,
            "goal_text": f"<= {MEMORY_GOAL_MB} MB",
            "lower_is_better": True,
            "shown": f"{memory:.1f} MB, largest backend ({tenants} marketplaces x{rounds}, "
            f"{groups} connection groups, bound {budget} schemas per connection; one "
            f"connection with no bound: {max(unbounded):.1f} MB)",
        },
        {
            "case": f"request latency, {tenants} marketplaces round-robin on one connection "
            "(median ms; baseline: one marketplace)",
            "table_case": LATENCY_CASE,
            "value": round(rr_ms, 2),
            "baseline": round(single_ms, 2),
            "ratio": round(latency, 2),
            "goal": LATENCY_GOAL,
            "goal_text": f"<= {LATENCY_GOAL}x",
            "lower_is_better": True,
            "shown": f"{latency:.2f}x ({tenants} marketplaces, {groups} connection groups: "
            f"{rr_ms:.1f} ms median vs {single_ms:.1f} ms for one; one connection with the "
            f"bound: {one_ms / single_ms:.2f}x)",
        },
    ]


def cleanup(database: str | None, keep: bool) -> None:
    from django.conf import settings
    from django.db import connection

    from shared_apps.core.broker import broker_redis

    client = broker_redis()
    prefixes = (os.environ["CELERY_KEY_PREFIX"], f"*{settings.CACHES['default']['KEY_PREFIX']}:")
    for prefix in prefixes:
        keys = list(client.scan_iter(f"{prefix}*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    connection.close()
    if database and not keep:
        from bench.common import drop_database

        drop_database(database)


def main(argv: list[str] | None = None) -> list[dict]:
    quick = os.environ.get("BENCH_QUICK") == "1"  # a smoke run: tiny data, figures meaningless
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=20 if quick else 1000)
    parser.add_argument("--rounds", type=int, default=1 if quick else 2, help="round-robin passes")
    parser.add_argument(
        "--slices", type=int, default=4 if quick else 8, help="alternating latency slices"
    )
    parser.add_argument("--processes", type=int, default=3, help="processes cloning schemas")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--reuse", action="store_true", help="use the kept bench database")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON at the end")
    args = parser.parse_args(argv or [])

    database = None
    try:
        database = _setup(reuse=args.reuse)
        from shared_apps.tenants.models import Tenant

        if not (args.reuse and Tenant.objects.filter(schema_name=FIRST).exists()):
            seed_first()
        started = time.perf_counter()
        per_clone = clone_marketplaces(args.tenants, args.processes)
        print(
            f"{args.tenants} marketplaces ready in {time.perf_counter() - started:.0f} s "
            f"({per_clone * 1000:.0f} ms per cloned schema)",
            flush=True,
        )
        rows = measure(args.tenants, args.rounds, args.slices)
    finally:
        if database is not None:
            cleanup(database, keep=args.keep or args.reuse)
    if args.json:
        print(json.dumps(rows, indent=1))
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
