"""The marketplace URLconf plus the benchmark's baselines, served by the same server,
middleware and tenant resolution: a bare Django view (what every ratio is measured
against), and two floors that show what the cached and the computed answers can't go
below (bench/search.py prints them next to the cases)."""

from datetime import date, timedelta

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import path

from config.urls_tenant import urlpatterns as tenant_urlpatterns

FLOOR_KEY = "bench:floor:answer"
# About the size of a stored search page of 20 listings.
FLOOR_BODY = b'{"results": [' + b",".join([b'{"title": "' + b"a" * 1000 + b'"}'] * 20) + b"]}"


def bare(request):
    return JsonResponse({"ok": True})


def one_redis_get(request):
    """One Redis GET of a 20 KB value and nothing else: the least any answer that is
    checked against Redis (every warm answer) costs on top of the bare view."""
    client = cache.client.get_client(write=False)
    body = client.get(FLOOR_KEY)
    if body is None:
        client.set(FLOOR_KEY, FLOOR_BODY)
        body = FLOOR_BODY
    return HttpResponse(body, content_type="application/json")


_search_sql: list[tuple[str, tuple]] = []


def search_sql_only(request):
    """The SQL statement of a city + dates + guests search (compiled once per process),
    run and fetched with no ORM, serializer or cache: what the database alone costs."""
    if not _search_sql:
        from tenant_apps.listings.selectors import (
            SearchFilters,
            property_rows,
            property_search_sorted,
        )

        start = date.today() + timedelta(days=30)  # noqa: DTZ011
        filters = SearchFilters(city="Madrid", check_in=start, check_out=start + timedelta(4),
                                guests=2)  # fmt: skip
        found, order_by = property_search_sorted(filters=filters, ordering="price")
        _search_sql.append(property_rows(found.order_by(*order_by))[:21].query.sql_with_params())
    sql, params = _search_sql[0]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return JsonResponse({"rows": len(rows)})


urlpatterns = [
    path("bench/bare", bare),
    path("bench/floor/redis-get", one_redis_get),
    path("bench/floor/search-sql", search_sql_only),
    *tenant_urlpatterns,
]
