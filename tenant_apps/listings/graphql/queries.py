"""Listing queries: the REST search's filters, validation, selector and order."""

from __future__ import annotations

import graphene

from shared_apps.core.graphql.base import page_arguments, parsed, require_member, viewer
from shared_apps.core.graphql.pagination import Page, keyset_page
from shared_apps.core.graphql.selection import selected
from tenant_apps.listings import selectors, services
from tenant_apps.listings.api.serializers import ORDERINGS, SearchQuery
from tenant_apps.listings.cache import SearchDeps, answer_depends_on, detail_deps
from tenant_apps.listings.constants import PropertyStatus
from tenant_apps.listings.graphql.types import AmenityNode, PropertyNode, PropertyPage
from tenant_apps.listings.models import Amenity

SEARCH_ARGUMENTS = {
    "city": graphene.String(),
    "country": graphene.String(description="ISO 3166-1 alpha-2"),
    "latitude": graphene.Decimal(),
    "longitude": graphene.Decimal(),
    "radius_km": graphene.Float(),
    "price_min": graphene.Decimal(),
    "price_max": graphene.Decimal(),
    "guests": graphene.Int(),
    "bedrooms": graphene.Int(),
    "property_type": graphene.String(),
    "amenities": graphene.List(graphene.NonNull(graphene.String), description="All required."),
    "instant_book": graphene.Boolean(),
    "check_in": graphene.Date(),
    "check_out": graphene.Date(),
    "ordering": graphene.String(description=" | ".join(ORDERINGS)),
}


def with_requested_reviews(queryset, info, *path: str, through: str = ""):
    """Prefetches the newest reviews (and their authors) of every listing on the page when
    the query asks for them: one more query, whatever the page size. `through` is the
    relation from the queryset's rows to their listing, if they are not listings."""
    from tenant_apps.reviews.selectors import latest_reviews_prefetch

    wanted = selected(info, *path, "reviews")
    if not wanted:
        return queryset
    count = max(arguments["first"] for _, arguments in wanted)
    return queryset.prefetch_related(latest_reviews_prefetch(count=count, through=through))


def search(info, *, first: int, after: str | None = None, **arguments) -> Page:
    """Parse (the REST serializer), then the one search selector and its order. The page's
    versions are declared like the REST search's (tenant_apps.listings.cache.SearchDeps), so
    a cached whole answer is renewed by exactly the writes that can change it."""
    if arguments.get("amenities") is not None:
        arguments["amenities"] = ",".join(arguments["amenities"])
    query = parsed(SearchQuery, {k: v for k, v in arguments.items() if v is not None})
    params = dict(query)
    ordering = params.pop("ordering", None)
    if "amenities" in params:
        services.check_amenity_codes(params["amenities"])
    filters = selectors.SearchFilters(**params)
    deps = SearchDeps(filters.check_in, filters.check_out)
    found, order_by = selectors.property_search_sorted(filters=filters, ordering=ordering)
    found = with_requested_reviews(found, info, "items")
    page = keyset_page(found, ordering=order_by, first=first, after=after)
    answer_depends_on(deps.after(row.pk for row in page.items))
    return page


class Query(graphene.ObjectType):
    properties = graphene.Field(
        PropertyPage,
        required=True,
        description="Search published listings (the filters of GET /api/v1/properties).",
        **SEARCH_ARGUMENTS,
        **page_arguments(),
    )
    property = graphene.Field(
        PropertyNode,
        id=graphene.UUID(required=True),
        description="A published listing, or one of mine; null when there is none.",
    )
    my_properties = graphene.Field(PropertyPage, required=True, **page_arguments())
    amenities = graphene.List(graphene.NonNull(AmenityNode), required=True)

    @staticmethod
    def resolve_properties(root, info, first: int, after: str | None = None, **arguments):
        return search(info, first=first, after=after, **arguments)

    @staticmethod
    def resolve_property(root, info, id):
        deps = detail_deps(id)
        found = with_requested_reviews(
            selectors.with_related(selectors.visible_properties(user=viewer(info))), info
        )
        prop = found.filter(pk=id).first()
        # Missing and published answers are the same for every anonymous caller (only
        # theirs are cached); a host's own draft is never cached.
        public = prop is None or prop.status == PropertyStatus.PUBLISHED
        answer_depends_on(deps if public else None)
        return prop

    @staticmethod
    def resolve_my_properties(root, info, first: int, after: str | None = None):
        host = require_member(info)
        found = with_requested_reviews(selectors.properties_of_host(host=host), info, "items")
        return keyset_page(found, ordering=("-created", "-id"), first=first, after=after)

    @staticmethod
    def resolve_amenities(root, info):
        return Amenity.objects.all()
