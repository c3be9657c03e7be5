"""Storefront pages against the JSON API for the same data, side by side in one run:
p50/p95 of the home, search-results and listing pages next to the REST answers they show,
and the weight of a results page of 20 listings (HTML, CSS and JS; no full-size photo).

    make bench-pages           # or: .venv/bin/python bench/pages.py [--requests 300]

Runs in a throw-away database: the demo marketplaces (`seed_demo`) plus 25 more published
listings in Alpine Lodges, so a results page holds 20. Listings cache on, warmed first, as
in production; the cases take turns (bench.web.interleaved) so load changes weigh alike.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["EMAIL_URL"] = "dummymail://"
# Uploaded demo photos of this run go to a throw-away folder.
os.environ.setdefault("MEDIA_ROOT", "/tmp/bench-pages-media")  # noqa: S108

from bench.common import drop_database, use_throwaway_database  # noqa: E402
from bench.web import PORT, Call, interleaved, load, report, start_server, stop_server  # noqa: E402

DATABASE = use_throwaway_database("bench_pages")

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from shared_apps.accounts.selectors import user_by_email  # noqa: E402
from shared_apps.tenants.models import Tenant  # noqa: E402
from tenant_apps.listings import services as listings  # noqa: E402
from tenant_apps.listings.models import Property  # noqa: E402
from tenant_apps.storefront.demo import LISTINGS, seed_demo  # noqa: E402
from tenant_apps.storefront.demo_pictures import listing_picture  # noqa: E402

HOST = "alpine.localhost"
WEIGHT_BUDGET = 150 * 1024


def seed(extra: int) -> list[str]:
    """The demo, plus `extra` listings in alpine; returns every alpine listing id."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    seed_demo()
    tenant = Tenant.objects.get(schema_name="alpine")
    host = user_by_email(email="host@alpine.demo.test")
    with tenant_context(tenant):
        for n in range(extra):
            row = LISTINGS["alpine"][n % len(LISTINGS["alpine"])]
            prop = listings.property_create(
                host=host,
                data={
                    "title": f"{row[0]} ({n + 2})", "description": row[17], "street": "1 Main St",
                    "city": row[1], "region": row[2], "country": row[3],
                    "nightly_price": Decimal(row[6]) + n, "max_guests": row[9],
                    "bedrooms": row[10], "amenities": row[12], "instant_book": row[13],
                },
            )  # fmt: skip
            picture = listing_picture("alpine", 100 + n, n % 3)
            upload = SimpleUploadedFile(f"bench-{n}.jpg", picture, "image/jpeg")
            listings.photo_add(property=prop, upload=upload)
            listings.property_publish(property=prop)
        ids = [str(pk) for pk in Property.objects.values_list("pk", flat=True)]
    connection.close()
    return ids


SEARCHES = [
    "", "ordering=price", "ordering=-price", "ordering=rating", "city=Zermatt",
    "city=Chamonix&guests=2", "price_min=150&price_max=400", "amenities=wifi",
    "property_type=chalet", "instant_book=true", "bedrooms=2&ordering=price",
    "country=CH&ordering=rating",
]  # fmt: skip


def fetch(path: str) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    conn.request("GET", path, headers={"Host": HOST, "Accept": "text/html"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def page_weight() -> None:
    """HTML + CSS + JS of the first results page (20 listings), raw and gzipped, and a check
    that no <img> names an original upload (renditions are <id>-<width>.webp)."""
    status, html = fetch("/search/")
    assert status == 200, status
    text = html.decode()
    cards = text.count('class="card"')
    parts = {"HTML": html}
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', text):
        if href.startswith("/static/"):
            parts[href] = Path(finders.find(href.removeprefix("/static/"))).read_bytes()
        else:
            parts[href] = fetch(href.replace("&amp;", "&"))[1]
    for src in re.findall(r'<script src="([^"]+)"', text):
        parts[src] = Path(finders.find(src.removeprefix("/static/"))).read_bytes()
    images = re.findall(r'(?:src|srcset)="([^"]+)"', text)
    urls = [u.split(" ")[0] for value in images for u in value.split(", ")]
    photos = [u for u in urls if "/properties/" in u]  # listing photos (not the logo)
    originals = [u for u in photos if not re.search(r"-\d+\.webp$", u)]
    raw = sum(len(body) for body in parts.values())
    zipped = sum(len(gzip.compress(body)) for body in parts.values())
    print(f"\nResults page of {cards} listings (budget {WEIGHT_BUDGET // 1024} KB):")
    for name, body in parts.items():
        zipped_part = len(gzip.compress(body)) / 1024
        print(f"  {name:<40} {len(body) / 1024:6.1f} KB  gzip {zipped_part:5.1f} KB")
    verdict = "within" if raw <= WEIGHT_BUDGET else "OVER"
    print(f"  {'total':<40} {raw / 1024:6.1f} KB  gzip {zipped / 1024:5.1f} KB  ({verdict} budget)")
    print(
        f"  photo URLs on the page: {len(photos)}, full-size originals among them: {len(originals)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    n = args.requests
    try:
        started = time.monotonic()
        ids = seed(extra=25)
        print(
            f"Seeded the demo plus 25 listings ({len(ids)} in alpine) in "
            f"{time.monotonic() - started:.0f}s; gunicorn 2 workers, 4 client threads, "
            f"{n} requests per case, listings cache on (warm)."
        )
        server = start_server(HOST)
        try:
            listing_ids = ids[:8]
            cases = {
                "home page": [Call("/")] * n,
                "API: 8 listings (home data)": [Call("/api/v1/properties?page_size=8")] * n,
                "search page": [Call(f"/search/?{SEARCHES[i % len(SEARCHES)]}") for i in range(n)],
                "API: same searches": [
                    Call(f"/api/v1/properties?{SEARCHES[i % len(SEARCHES)]}") for i in range(n)
                ],
                "listing page": [Call(f"/stays/{listing_ids[i % 8]}/") for i in range(n)],
                "API: listing detail": [
                    Call(f"/api/v1/properties/{listing_ids[i % 8]}") for i in range(n)
                ],
                "API: listing reviews": [
                    Call(f"/api/v1/properties/{listing_ids[i % 8]}/reviews") for i in range(n)
                ],
            }
            for calls in cases.values():  # warm the caches and the workers
                load(HOST, calls[: len(SEARCHES) * 2])
            results = interleaved(HOST, {"bare Django view": [Call("/bench/bare")] * n, **cases})
            base = report("bare Django view", *results.pop("bare Django view"))
            p50 = {name: report(name, *result, base=base)[0] for name, result in results.items()}
            api_listing = p50["API: listing detail"] + p50["API: listing reviews"]
            print("\nPage p50 / API p50 for the same data (budget 1.5x):")
            print(f"  home     {p50['home page'] / p50['API: 8 listings (home data)']:5.2f}x")
            print(f"  search   {p50['search page'] / p50['API: same searches']:5.2f}x")
            print(
                f"  listing  {p50['listing page'] / api_listing:5.2f}x  (detail + reviews: the "
                f"page shows both; {p50['listing page'] / p50['API: listing detail']:.2f}x "
                "the detail alone)"
            )
            page_weight()
        finally:
            stop_server(server)
    finally:
        connection.close()
        drop_database(DATABASE)


if __name__ == "__main__":
    main()
