"""Where a read request's time goes, in-process: pyinstrument over a few hundred search,
GraphQL search or detail requests through Django's test client (the whole middleware stack,
tenant resolution included, no network), plus the SQL statements and Redis calls of one
request. Needs a database seeded by bench/search.py's `seed()`:

    .venv/bin/python bench/profile_read.py --database-url postgres://…/bench_db \
        --case search [--cache] [--requests 300] [--html out.html]

Cases: search, graphql, detail, bare (the bench's bare view, for comparison).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "bench.localhost"


def calls(case: str, count: int, property_ids: list[str]):
    from bench.search import graphql_call, rest_call, search_params

    if case == "bare":
        return [("GET", "/bench/bare", None)] * count
    if case == "detail":
        return [("GET", f"/api/v1/properties/{pid}", None) for pid in property_ids[:count]]
    searches = search_params(count)
    made = [rest_call(p) if case == "search" else graphql_call(p) for p in searches]
    return [(c.method, c.path, c.body) for c in made]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--case", default="search", choices=["search", "graphql", "detail", "bare"])
    parser.add_argument("--cache", action="store_true", help="listings cache on (warm)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--html", help="write pyinstrument's HTML report here")
    parser.add_argument("--all-frames", action="store_true", help="show library frames too")
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        LISTINGS_CACHE="1" if args.cache else "0",
        LOG_LEVEL="WARNING",
        EMAIL_URL="dummymail://",
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context
    from pyinstrument import Profiler

    from tenant_apps.listings.models import Property

    with schema_context("bench"):
        ids = [str(pk) for pk in Property.objects.values_list("pk", flat=True)[: args.requests]]
    client = Client(HTTP_HOST=HOST)
    todo = calls(args.case, args.requests, ids)

    def send(method, path, body):
        if method == "GET":
            return client.get(path)
        return client.post(path, body, content_type="application/json")

    for call in todo[:20]:  # warm-up (imports, prepared caches, and the cache when on)
        send(*call)
    if args.cache:
        for call in todo:
            send(*call)
    with CaptureQueriesContext(connection) as queries:
        response = send(*todo[0])
    print(f"{args.case}: status {response.status_code}, {len(queries)} SQL statements:")
    for query in queries.captured_queries:
        print(f"  {query['time']}s  {query['sql'][:150]}")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for call in todo:
        send(*call)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=args.all_frames))
    if args.html:
        Path(args.html).write_text(profiler.output_html())


if __name__ == "__main__":
    main()
