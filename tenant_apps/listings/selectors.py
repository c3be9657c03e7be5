"""Reads of listings, with their query shapes: a search page and a detail page each run a
fixed number of queries whatever their size."""

from __future__ import annotations

import calendar as calendar_module
import math
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import ACos, Coalesce, Cos, JSONObject, Least, Radians, Sin

from shared_apps.accounts.models import User
from shared_apps.core.compiled import CompiledRows
from shared_apps.core.errors import NotFoundError
from tenant_apps.listings.constants import PropertyStatus
from tenant_apps.listings.models import Amenity, AvailabilityBlock, Property, PropertyPhoto
from tenant_apps.listings.stays import stay_reader

EARTH_RADIUS_KM = 6371.0


# The host as listings show them: never the password hash, email or phone.
HOST_PUBLIC_FIELDS = ("id", "first_name", "avatar_url")
PHOTO_ORDER = ("position", "created")
_HOST_PRIVATE = tuple(
    f"host__{f.name}" for f in User._meta.concrete_fields if f.name not in HOST_PUBLIC_FIELDS
)


def with_related(queryset: QuerySet[Property]) -> QuerySet[Property]:
    return (
        queryset.select_related("host")
        .defer(*_HOST_PRIVATE)
        .prefetch_related(
            "amenities", Prefetch("photos", queryset=PropertyPhoto.objects.order_by(*PHOTO_ORDER))
        )
    )


# A listing row as plain values, for answers built without model objects (the search page
# and the detail: building ~8 model objects per listing was most of their time).
PROPERTY_COLUMNS = tuple(f.attname for f in Property._meta.concrete_fields)
HOST_COLUMNS = ("host__first_name", "host__avatar_url")
PHOTO_COLUMNS = ("id", "property_id", "image", "width", "height", "position", "caption")


def property_rows(queryset: QuerySet[Property]) -> QuerySet:
    """The listings as dicts, in one query: every column, the host's public fields, the
    queryset's annotations (distance, sort keys), `amenity_codes` (sorted) and `photo_rows`
    (by position), the last two as arrays of subqueries (one round trip, not three)."""
    codes = Property.amenities.through.objects.filter(property_id=OuterRef("pk"))
    photos = PropertyPhoto.objects.filter(property_id=OuterRef("pk")).order_by(*PHOTO_ORDER)
    photo = JSONObject(**{name: name for name in (*PHOTO_COLUMNS, "renditions")})
    queryset = queryset.annotate(
        amenity_codes=ArraySubquery(codes.order_by("amenity__code").values("amenity__code")),
        photo_rows=ArraySubquery(photos.values(row=photo)),
    )
    return queryset.values(*PROPERTY_COLUMNS, *HOST_COLUMNS, *queryset.query.annotations)


_every_listing_rows: list[QuerySet] = []


def every_listing_rows() -> QuerySet:
    """property_rows() of every listing, to be filtered. Building that query (the array
    subqueries, the JSON object of each photo) costs about 1.3 ms, so it is built once per
    process; each call hands out a copy (~35 µs with a filter). The one kept is never run,
    so it never holds rows, and it names no schema: any marketplace may use it."""
    if not _every_listing_rows:
        _every_listing_rows.append(property_rows(Property.objects.all()))
    return _every_listing_rows[0].all()


# A published listing's row, compiled once (compiling is most of a cold detail's Python).
_PUBLIC_ROW_MARKER = uuid.UUID("00000000-0000-4000-8000-0000000c0de5")
_public_row = CompiledRows(
    lambda pk: every_listing_rows().filter(visible_to(None), pk=pk)[:1], _PUBLIC_ROW_MARKER
)


def property_row_for_viewer(*, property_id, user: User | None) -> dict | None:
    """property_for_viewer() as a row (see property_rows), or None."""
    if user is not None and user.is_authenticated:  # a host also sees their drafts
        return every_listing_rows().filter(visible_to(user), pk=property_id).first()
    try:
        found = _public_row.rows(uuid.UUID(str(property_id)))
    except ValueError:  # not an id at all: no such listing
        return None
    return found[0] if found else None


def amenity_list() -> QuerySet[Amenity]:
    """The marketplace's amenities, by name."""
    return Amenity.objects.order_by("name")


def published_listing_dates() -> QuerySet:
    """(id, updated) of every published listing, newest first: for the sitemap."""
    return (
        Property.objects.filter(status=PropertyStatus.PUBLISHED)
        .order_by("-created", "-id")
        .values_list("id", "updated")
    )


def visible_to(user: User | None) -> Q:
    """Published listings, and every listing of `user` as their host."""
    visible = Q(status=PropertyStatus.PUBLISHED)
    if user is not None and user.is_authenticated:
        visible |= Q(host=user)
    return visible


def visible_properties(*, user: User | None) -> QuerySet[Property]:
    return Property.objects.filter(visible_to(user))


def property_for_viewer(*, property_id, user: User | None) -> Property | None:
    """A published listing, or any listing of its own host; anything else looks missing."""
    return with_related(visible_properties(user=user)).filter(pk=property_id).first()


NO_LISTING = "No listing with this id here."


def property_for_host(*, property_id, host: User) -> Property:
    """A listing its host may change; another host's is missing (404), never forbidden."""
    prop = Property.objects.filter(pk=property_id, host=host).first()
    if prop is None:
        raise NotFoundError(NO_LISTING)
    return prop


def visible_property(*, property_id, user: User | None) -> Property:
    """property_for_viewer for callers that need the listing: missing is a 404."""
    prop = property_for_viewer(property_id=property_id, user=user)
    if prop is None:
        raise NotFoundError(NO_LISTING)
    return prop


def property_with_related(*, property_id) -> Property:
    """A listing as the APIs show it (photos, amenities, host), read again after a write."""
    return with_related(Property.objects.filter(pk=property_id)).get()


def photo_of_host(*, property_id, photo_id, host: User) -> PropertyPhoto:
    photo = property_for_host(property_id=property_id, host=host).photos.filter(pk=photo_id)
    if (found := photo.first()) is None:
        raise NotFoundError("This listing has no photo with this id.")
    return found


def block_of_host(*, property_id, block_id, host: User) -> AvailabilityBlock:
    block = property_for_host(property_id=property_id, host=host).blocks.filter(pk=block_id)
    if (found := block.first()) is None:
        raise NotFoundError("This listing has no block with this id.")
    return found


def properties_of_host(*, host: User) -> QuerySet[Property]:
    return with_related(Property.objects.filter(host=host))


def blocked_between(check_in: date, check_out: date):
    """Listings with a host block overlapping the stay [check_in, check_out)."""
    return Exists(
        AvailabilityBlock.objects.filter(
            property=OuterRef("pk"), start__lt=check_out, end__gt=check_in
        )
    )


def booked_between(check_in: date, check_out: date):
    """Listings with a stay holding nights of [check_in, check_out), as bookings answers
    (half-open ranges, so back-to-back stays don't overlap)."""
    return stay_reader().held_between(check_in, check_out)


def _distance_km(latitude: Decimal, longitude: Decimal):
    lat, lng = math.radians(float(latitude)), math.radians(float(longitude))
    # Least(1, …) keeps rounding from taking acos out of its domain for identical points.
    cosine = Least(
        Value(1.0),
        Value(math.cos(lat)) * Cos(Radians(F("latitude"))) * Cos(Radians(F("longitude")) - lng)
        + Value(math.sin(lat)) * Sin(Radians(F("latitude"))),
    )
    return EARTH_RADIUS_KM * ACos(cosine, output_field=FloatField())


@dataclass(frozen=True)
class SearchFilters:
    city: str = ""
    country: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    radius_km: float | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    guests: int | None = None
    bedrooms: int | None = None
    property_type: str = ""
    amenities: tuple[str, ...] = ()
    instant_book: bool | None = None
    check_in: date | None = None
    check_out: date | None = None


def property_search(*, filters: SearchFilters, rows: bool = False) -> QuerySet[Property]:
    """Published listings matching every filter given, in one SQL query (plus prefetches),
    or with `rows` as dicts in one query (property_rows). With dates, only listings free for
    the whole stay and accepting its length."""
    f = filters
    found = (every_listing_rows() if rows else Property.objects).filter(
        status=PropertyStatus.PUBLISHED
    )
    if f.city:
        found = found.filter(city__iexact=f.city)
    if f.country:
        found = found.filter(country=f.country.upper())
    if f.price_min is not None:
        found = found.filter(nightly_price__gte=f.price_min)
    if f.price_max is not None:
        found = found.filter(nightly_price__lte=f.price_max)
    if f.guests:
        found = found.filter(max_guests__gte=f.guests)
    if f.bedrooms:
        found = found.filter(bedrooms__gte=f.bedrooms)
    if f.property_type:
        found = found.filter(property_type=f.property_type)
    if f.instant_book is not None:
        found = found.filter(instant_book=f.instant_book)
    for code in f.amenities:
        found = found.filter(
            Exists(Property.amenities.through.objects.filter(
                property_id=OuterRef("pk"), amenity__code=code
            ))
        )  # fmt: skip
    if f.check_in and f.check_out:
        nights = (f.check_out - f.check_in).days
        found = found.filter(min_nights__lte=nights, max_nights__gte=nights)
        found = found.exclude(blocked_between(f.check_in, f.check_out))
        found = found.exclude(booked_between(f.check_in, f.check_out))
    if f.latitude is not None and f.longitude is not None:
        found = found.annotate(distance_km=_distance_km(f.latitude, f.longitude))
        if f.radius_km is not None:
            # A bounding box on the indexed coordinates first, then the exact distance.
            lat_span = Decimal(str(f.radius_km / 111.0))
            cos_lat = max(math.cos(math.radians(float(f.latitude))), 0.01)
            lng_span = Decimal(str(f.radius_km / (111.0 * cos_lat)))
            found = found.filter(
                latitude__range=(f.latitude - lat_span, f.latitude + lat_span),
                longitude__range=(f.longitude - lng_span, f.longitude + lng_span),
                distance_km__lte=f.radius_km,
            )
    return found if rows else with_related(found)


# Search orderings (the `ordering` filter) -> ORDER BY; each ends with a unique column, so
# cursor pages are stable.
SEARCH_ORDER_BY = {
    "newest": ("-created", "-id"),
    "price": ("nightly_price", "id"),
    "-price": ("-nightly_price", "-id"),
    "rating": ("-rating_sort", "-created", "-id"),
    "distance": ("distance_km", "id"),
}


def property_search_sorted(
    *, filters: SearchFilters, ordering: str | None, rows: bool = False
) -> tuple[QuerySet[Property], tuple[str, ...]]:
    """The search (as rows with `rows`) and its ORDER BY (by distance when a point is
    given, else newest first). Unrated listings sort after every rated one."""
    ordering = ordering or ("distance" if filters.latitude is not None else "newest")
    found = property_search(filters=filters, rows=rows)
    if ordering == "rating":
        found = found.annotate(rating_sort=Coalesce("rating_average", Value(Decimal(-1))))
    return found, SEARCH_ORDER_BY[ordering]


def search_rows(*, ids: list, filters: SearchFilters) -> QuerySet[Property]:
    """The listings of a cached search page, read by primary key (with the distance to the
    search point, if any): the filters were applied when the page was computed."""
    rows = Property.objects.filter(pk__in=ids)
    if filters.latitude is not None and filters.longitude is not None:
        rows = rows.annotate(distance_km=_distance_km(filters.latitude, filters.longitude))
    return with_related(rows)


DAY_FREE, DAY_BLOCKED, DAY_BOOKED = "free", "blocked", "booked"


def property_calendar(*, property: Property, year: int, month: int) -> list[dict]:
    """Each night of the month: booked (held by a booking), blocked (by the host) or free."""
    first = date(year, month, 1)
    days = calendar_module.monthrange(year, month)[1]
    after = first + timedelta(days=days)
    blocks = list(property.blocks.filter(start__lt=after, end__gt=first))
    stays = stay_reader().held_ranges(property=property, start=first, end=after)
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        status = DAY_FREE
        if any(check_in <= day < check_out for check_in, check_out in stays):
            status = DAY_BOOKED
        elif any(block.start <= day < block.end for block in blocks):
            status = DAY_BLOCKED
        result.append({"date": day, "status": status})
    return result
