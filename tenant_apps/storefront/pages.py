"""What the guest pages show, read through the same selectors and serializers the REST
views use, and cached the same way (the listings cache, versioned per marketplace, so a
listing write is seen at once). Detail and calendar answers share the API's own cache
entries; nothing here decides a business rule."""

from __future__ import annotations

import calendar as calendar_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

from django.http import HttpRequest, QueryDict
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext
from rest_framework.request import Request

from shared_apps.core.errors import ApplicationError
from tenant_apps.listings import selectors, services
from tenant_apps.listings.api.serializers import (
    AmenityOutput,
    CalendarOutput,
    PropertyOutput,
    SearchQuery,
)
from tenant_apps.listings.api.views import SearchPagination
from tenant_apps.listings.cache import cache_get, cache_put, cached
from tenant_apps.listings.constants import PropertyStatus
from tenant_apps.listings.models import Property

# Query parameters of the search page: every filter of the API's search, its ordering, and
# the cursor of the page. Checkbox lists (amenities) arrive as repeated parameters.
SEARCH_FIELDS = tuple(SearchQuery().fields)
HOME_SECTION_SIZE = 4


def search_params(query: QueryDict) -> dict[str, str]:
    """The API's query-string shape from a browser's form: empty fields dropped, repeated
    amenities joined with commas, a ticked checkbox ("on") as true."""
    params: dict[str, str] = {}
    for name in SEARCH_FIELDS:
        values = [v.strip() for v in query.getlist(name) if v.strip()]
        if not values:
            continue
        params[name] = ",".join(values) if name == "amenities" else values[-1]
    if params.get("instant_book") == "on":
        params["instant_book"] = "true"
    return params


@dataclass
class SearchPage:
    params: dict[str, str]
    errors: dict[str, list[str]]
    results: list[dict]
    count: int
    next_cursor: str | None
    previous_cursor: str | None
    key: dict | None = None


def _cursor_of(link: str | None) -> str | None:
    if not link:
        return None
    return parse_qs(urlparse(link).query).get("cursor", [None])[0]


def _field_errors(detail) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in detail.items()}


def search_page(request: HttpRequest) -> SearchPage:
    """One page of search results for the browser's query, as the API would answer it."""
    params = search_params(request.GET)
    serializer = SearchQuery(data=params)
    if not serializer.is_valid():
        return SearchPage(params, _field_errors(serializer.errors), [], 0, None, None)
    query = dict(serializer.validated_data)
    ordering = query.pop("ordering", None)
    try:
        if "amenities" in query:
            services.check_amenity_codes(query["amenities"])
    except ApplicationError as error:
        return SearchPage(params, error.fields, [], 0, None, None)
    filters = selectors.SearchFilters(**query)
    cursor = request.GET.get("cursor", "")
    page_size = request.GET.get("page_size", "")

    def compute() -> dict:
        found, order_by = selectors.property_search_sorted(filters=filters, ordering=ordering)
        paginator = SearchPagination()
        rows = paginator.paginate_queryset(
            found, Request(request), view=SimpleNamespace(order_by=order_by)
        )
        return {
            "results": PropertyOutput(rows, many=True).data,
            "count": found.count(),
            "next": _cursor_of(paginator.get_next_link()),
            "previous": _cursor_of(paginator.get_previous_link()),
        }

    key = {**params, "cursor": cursor, "page_size": page_size}
    try:
        body = cached("search-page", key, compute)
    except ApplicationError as error:  # the REST paginator's: a bad cursor or page size
        fields = error.fields
        if error.code == "invalid_cursor":
            expired = gettext("This page of results has expired. Start from the first page.")
            fields = {"cursor": [expired]}
        return SearchPage(params, fields, [], 0, None, None)
    return SearchPage(
        params, {}, body["results"], body["count"], body["next"], body["previous"], key
    )


def home_sections() -> dict[str, list[dict]]:
    """Featured (best rated) and newest listings for the home page."""

    def compute() -> dict:
        sections = {}
        for name, ordering in (("featured", "rating"), ("newest", "newest")):
            found, order_by = selectors.property_search_sorted(
                filters=selectors.SearchFilters(), ordering=ordering
            )
            rows = found.order_by(*order_by)[:HOME_SECTION_SIZE]
            sections[name] = PropertyOutput(rows, many=True).data
        return sections

    return cached("home", {}, compute)


def fragment(kind: str, key: dict, template: str, context: Callable[[], dict]) -> str:
    """A rendered piece of a page that depends only on listings data, the query, branding
    and the language (never on the visitor: no user, no CSRF token), cached with the answer
    it shows under the same listings version, so a listing write renews it. Rendering the
    cards and filters is most of a page's cost; with this a warm page costs about what the
    API's cached answer does."""
    params = {**key, "language": get_language(), "kind": kind}
    return cached("fragment", params, lambda: render_to_string(template, context()))


def amenities() -> list[dict]:
    return cached("amenities", {}, lambda: AmenityOutput(selectors.amenity_list(), many=True).data)


def listing_detail(*, property_id, user) -> dict | None:
    """The listing as the API's detail answers it (sharing its cache entry), or None."""
    key = {"id": str(property_id)}
    if (body := cache_get("detail", key)) is not None:
        return body
    prop = selectors.property_for_viewer(property_id=property_id, user=user)
    if prop is None:
        return None
    body = PropertyOutput(prop).data
    if prop.status == PropertyStatus.PUBLISHED:
        cache_put("detail", key, body)
    return body


def listing_for_viewer(*, property_id, user) -> Property | None:
    return selectors.property_for_viewer(property_id=property_id, user=user)


@dataclass
class CalendarMonth:
    month: str  # "2027-03"
    first: date
    weeks: list[list[dict | None]]  # Monday-first rows; None pads days of other months
    previous: str
    next: str


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def listing_calendar(*, property_id, user, month: date) -> CalendarMonth | None:
    """A month of the listing's nights (free, booked, blocked), as the API's calendar answers
    it (sharing its cache entry), laid out in weeks."""
    label = f"{month.year:04d}-{month.month:02d}"
    key = {"id": str(property_id), "month": label}
    body = cache_get("calendar", key)
    if body is None:
        prop = selectors.property_for_viewer(property_id=property_id, user=user)
        if prop is None:
            return None
        days = selectors.property_calendar(property=prop, year=month.year, month=month.month)
        body = CalendarOutput({"month": label, "days": days}).data
        if prop.status == PropertyStatus.PUBLISHED:
            cache_put("calendar", key, body)
    days = [{"date": date.fromisoformat(d["date"]), "status": d["status"]} for d in body["days"]]
    lead = calendar_module.weekday(month.year, month.month, 1)  # Monday is 0
    cells: list[dict | None] = [None] * lead + days
    cells += [None] * (-len(cells) % 7)
    weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    previous, following = _shift(month, -1), _shift(month, 1)
    return CalendarMonth(
        label,
        month,
        weeks,
        f"{previous.year:04d}-{previous.month:02d}",
        f"{following.year:04d}-{following.month:02d}",
    )


def parse_month(value: str | None, *, default: date) -> date:
    """ "2027-03" -> date(2027, 3, 1); anything else is the default month."""
    try:
        year, number = (int(part) for part in (value or "").split("-"))
        return date(year, number, 1)
    except ValueError:
        return default.replace(day=1)
