"""Listings API: thin views over the listings services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from shared_apps.core.errors import NotFoundError
from shared_apps.core.pagination import StrictCursorPagination
from shared_apps.core.permissions import IsMarketplaceHost, IsMarketplaceMember
from shared_apps.core.serializers import validated
from shared_apps.core.views import MarketplaceAPIView, MarketplaceGenericAPIView
from tenant_apps.listings import selectors, services
from tenant_apps.listings.api.serializers import (
    AmenityOutput,
    BlockInput,
    BlockOutput,
    CalendarOutput,
    CalendarQuery,
    PhotoInput,
    PhotoOutput,
    PropertyInput,
    PropertyOutput,
    PropertyRowOutput,
    SearchQuery,
)
from tenant_apps.listings.cache import (
    SearchDeps,
    answer_depends_on,
    detail_deps,
)
from tenant_apps.listings.constants import PropertyStatus
from tenant_apps.listings.models import Amenity, Property

NOT_FOUND = "No listing with this id here."


class SearchPagination(StrictCursorPagination):
    """Cursor pages in the order the client chose: stable while listings are added."""

    def get_ordering(self, request, queryset, view):
        return view.order_by


def _property_output(prop: Property) -> dict:
    return PropertyOutput(selectors.property_with_related(property_id=prop.pk)).data


class PropertyListCreateView(MarketplaceGenericAPIView):
    pagination_class = SearchPagination
    serializer_class = PropertyOutput
    queryset = Property.objects.none()  # for the OpenAPI generator; get() builds the search
    order_by: tuple[str, ...] = selectors.SEARCH_ORDER_BY["newest"]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsMarketplaceHost()]

    @extend_schema(
        summary="Search published listings",
        parameters=[SearchQuery],
        responses=PropertyOutput(many=True),
        tags=["listings"],
    )
    def get(self, request):
        query = validated(SearchQuery, request.query_params)
        params = dict(query)
        ordering = params.pop("ordering", None)
        if "amenities" in params:
            services.check_amenity_codes(params["amenities"])
        filters = selectors.SearchFilters(**params)
        # Versions read before the query (ListingAnswerMiddleware stores the answer under
        # them): a write committed meanwhile leaves the stored answer already stale.
        deps = SearchDeps(filters.check_in, filters.check_out)
        found, self.order_by = selectors.property_search_sorted(
            filters=filters, ordering=ordering, rows=True
        )
        rows = self.paginate_queryset(found)
        answer_depends_on(deps.after(row["id"] for row in rows))
        return self.get_paginated_response(PropertyRowOutput.many(rows))

    @extend_schema(
        summary="Create a listing (as a draft)",
        request=PropertyInput,
        responses={201: PropertyOutput},
        tags=["listings"],
    )
    def post(self, request):
        data = validated(PropertyInput, request.data)
        prop = services.property_create(host=request.user, data=data)
        return Response(_property_output(prop), status=status.HTTP_201_CREATED)


class PropertyDetailView(MarketplaceAPIView):
    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsMarketplaceMember()]

    @extend_schema(summary="A listing", responses=PropertyOutput, tags=["listings"])
    def get(self, request, property_id):
        # Only published listings are cached (by ListingAnswerMiddleware), so a cached
        # answer is the same for everyone.
        deps = detail_deps(property_id)
        row = selectors.property_row_for_viewer(property_id=property_id, user=request.user)
        if row is None:
            raise NotFoundError(NOT_FOUND)
        answer_depends_on(deps if row["status"] == PropertyStatus.PUBLISHED else None)
        return Response(PropertyRowOutput.one(row))

    @extend_schema(
        summary="Edit my listing",
        request=PropertyInput,
        responses=PropertyOutput,
        tags=["listings"],
    )
    def patch(self, request, property_id):
        prop = selectors.property_for_host(property_id=property_id, host=request.user)
        data = validated(PropertyInput, request.data, partial=True)
        prop = services.property_update(property=prop, data=data)
        return Response(_property_output(prop))

    @extend_schema(
        summary="Unlist my listing (kept, no longer found)",
        request=None,
        responses={204: None},
        tags=["listings"],
    )
    def delete(self, request, property_id):
        services.property_unlist(
            property=selectors.property_for_host(property_id=property_id, host=request.user)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PropertyPublishView(MarketplaceAPIView):
    permission_classes = [IsMarketplaceMember]

    @extend_schema(
        summary="Publish my listing (it must be complete)",
        request=None,
        responses=PropertyOutput,
        tags=["listings"],
    )
    def post(self, request, property_id):
        prop = services.property_publish(
            property=selectors.property_for_host(property_id=property_id, host=request.user)
        )
        return Response(_property_output(prop))


class MyPropertiesView(MarketplaceGenericAPIView):
    permission_classes = [IsMarketplaceMember]
    serializer_class = PropertyOutput
    queryset = Property.objects.none()

    @extend_schema(
        summary="My listings, drafts included", responses=PropertyOutput(many=True), tags=["me"]
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.properties_of_host(host=request.user))
        return self.get_paginated_response(PropertyOutput(page, many=True).data)


class PhotoListView(MarketplaceAPIView):
    permission_classes = [IsMarketplaceMember]
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Add a photo to my listing",
        request={"multipart/form-data": PhotoInput},
        responses={201: PhotoOutput},
        tags=["listings"],
    )
    def post(self, request, property_id):
        prop = selectors.property_for_host(property_id=property_id, host=request.user)
        data = validated(PhotoInput, request.data)
        photo = services.photo_add(
            property=prop,
            upload=data["image"],
            caption=data.get("caption", ""),
        )
        return Response(PhotoOutput(photo).data, status=status.HTTP_201_CREATED)


class PhotoDetailView(MarketplaceAPIView):
    permission_classes = [IsMarketplaceMember]

    @extend_schema(summary="Delete a photo of my listing", responses={204: None}, tags=["listings"])
    def delete(self, request, property_id, photo_id):
        photo = selectors.photo_of_host(
            property_id=property_id, photo_id=photo_id, host=request.user
        )
        services.photo_delete(photo=photo)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BlockListView(MarketplaceAPIView):
    permission_classes = [IsMarketplaceMember]

    @extend_schema(
        summary="Blocked dates of my listing", responses=BlockOutput(many=True), tags=["listings"]
    )
    def get(self, request, property_id):
        blocks = selectors.property_for_host(
            property_id=property_id, host=request.user
        ).blocks.all()
        return Response(BlockOutput(blocks, many=True).data)

    @extend_schema(
        summary="Block dates ([start, end))",
        request=BlockInput,
        responses={201: BlockOutput},
        tags=["listings"],
    )
    def post(self, request, property_id):
        prop = selectors.property_for_host(property_id=property_id, host=request.user)
        data = validated(BlockInput, request.data)
        block = services.block_create(property=prop, **data)
        return Response(BlockOutput(block).data, status=status.HTTP_201_CREATED)


class BlockDetailView(MarketplaceAPIView):
    permission_classes = [IsMarketplaceMember]

    @extend_schema(summary="Unblock dates", responses={204: None}, tags=["listings"])
    def delete(self, request, property_id, block_id):
        block = selectors.block_of_host(
            property_id=property_id, block_id=block_id, host=request.user
        )
        services.block_delete(block=block)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarView(MarketplaceAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A month of the listing's days: free, booked or blocked",
        parameters=[CalendarQuery],
        responses=CalendarOutput,
        tags=["listings"],
    )
    def get(self, request, property_id):
        month = validated(CalendarQuery, request.query_params)["month"]
        deps = detail_deps(property_id)  # published listings only, like the detail
        visible = selectors.visible_properties(user=request.user)
        prop = visible.filter(pk=property_id).first()
        if prop is None:
            raise NotFoundError(NOT_FOUND)
        year, number = (int(part) for part in month.split("-"))
        days = selectors.property_calendar(property=prop, year=year, month=number)
        answer_depends_on(deps if prop.status == PropertyStatus.PUBLISHED else None)
        return Response(CalendarOutput({"month": month, "days": days}).data)


class AmenityListView(MarketplaceAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="This marketplace's amenities",
        responses=AmenityOutput(many=True),
        tags=["listings"],
    )
    def get(self, request):
        return Response(AmenityOutput(Amenity.objects.all(), many=True).data)
