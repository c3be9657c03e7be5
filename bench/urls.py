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


_compiled: dict[str, tuple[str, tuple]] = {}


def _search_statement() -> tuple[str, tuple]:
    from tenant_apps.listings.selectors import SearchFilters, property_rows, property_search_sorted

    start = date.today() + timedelta(days=30)  # noqa: DTZ011
    filters = SearchFilters(city="Madrid", check_in=start, check_out=start + timedelta(4),
                            guests=2)  # fmt: skip
    found, order_by = property_search_sorted(filters=filters, ordering="price")
    return property_rows(found.order_by(*order_by))[:21].query.sql_with_params()


def _detail_statement() -> tuple[str, tuple]:
    from tenant_apps.listings.models import Property
    from tenant_apps.listings.selectors import property_rows, visible_properties

    one = Property.objects.filter(status="published").values_list("pk", flat=True).first()
    return property_rows(visible_properties(user=None).filter(pk=one))[:1].query.sql_with_params()


STATEMENTS = {"search": _search_statement, "detail": _detail_statement}


def sql_only(request, case: str):
    """The SQL statement of a city + dates + guests search, or of a listing's detail
    (compiled once per process), run and fetched with no ORM, serializer or cache: what the
    database alone costs."""
    if case not in _compiled:
        _compiled[case] = STATEMENTS[case]()
    sql, params = _compiled[case]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return JsonResponse({"rows": len(rows)})


urlpatterns = [
    path("bench/bare", bare),
    path("bench/floor/redis-get", one_redis_get),
    path("bench/floor/<str:case>-sql", sql_only),
    *tenant_urlpatterns,
]
