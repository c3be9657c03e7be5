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
    SearchQuery,
)
from tenant_apps.listings.cache import cache_get, cache_put, cached
from tenant_apps.listings.constants import PropertyStatus
from tenant_apps.listings.models import Amenity, Property

NOT_FOUND = "No listing with this id here."


class SearchPagination(StrictCursorPagination):
    """Cursor pages in the order the client chose: stable while listings are added."""

    def get_ordering(self, request, queryset, view):
        return view.order_by


def _own_property(request, property_id) -> Property:
    prop = selectors.property_for_host(property_id=property_id, host=request.user)
    if prop is None:
        raise NotFoundError(NOT_FOUND)
    return prop


def _property_output(prop: Property) -> dict:
    fresh = selectors.with_related(Property.objects.filter(pk=prop.pk)).get()
    return PropertyOutput(fresh).data


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

        def page() -> dict:
            found, self.order_by = selectors.property_search_sorted(
                filters=filters, ordering=ordering
            )
            results = self.paginate_queryset(found)
            return self.get_paginated_response(PropertyOutput(results, many=True).data).data

        cache_key = {**request.query_params.dict(), "host": request.get_host()}
        return Response(cached("search", cache_key, page))

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
        # Only published listings are cached, so a hit answers anyone without the database.
        key = {"id": str(property_id)}
        if (body := cache_get("detail", key)) is not None:
            return Response(body)
        prop = selectors.property_for_viewer(property_id=property_id, user=request.user)
        if prop is None:
            raise NotFoundError(NOT_FOUND)
        body = PropertyOutput(prop).data
        if prop.status == PropertyStatus.PUBLISHED:
            cache_put("detail", key, body)
        return Response(body)

    @extend_schema(
        summary="Edit my listing",
        request=PropertyInput,
        responses=PropertyOutput,
        tags=["listings"],
    )
    def patch(self, request, property_id):
        prop = _own_property(request, property_id)
        data = validated(PropertyInput, request.data, partial=True)
        prop = services.property_update(property=prop, data=data)
        return Response(_property_output(prop))

    @extend_schema(
        summary="Unlist my listing (kept, no longer found)",
        request=None,
        responses=PropertyOutput,
        tags=["listings"],
    )
    def delete(self, request, property_id):
        prop = services.property_unlist(property=_own_property(request, property_id))
        return Response(_property_output(prop))


class PropertyPublishView(MarketplaceAPIView):
    permission_classes = [IsMarketplaceMember]

    @extend_schema(
        summary="Publish my listing (it must be complete)",
        request=None,
        responses=PropertyOutput,
        tags=["listings"],
    )
    def post(self, request, property_id):
        prop = services.property_publish(property=_own_property(request, property_id))
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
        prop = _own_property(request, property_id)
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
        photo = _own_property(request, property_id).photos.filter(pk=photo_id).first()
        if photo is None:
            raise NotFoundError("This listing has no photo with this id.")
        services.photo_delete(photo=photo)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BlockListView(MarketplaceAPIView):
    permission_classes = [IsMarketplaceMember]

    @extend_schema(
        summary="Blocked dates of my listing", responses=BlockOutput(many=True), tags=["listings"]
    )
    def get(self, request, property_id):
        blocks = _own_property(request, property_id).blocks.all()
        return Response(BlockOutput(blocks, many=True).data)

    @extend_schema(
        summary="Block dates ([start, end))",
        request=BlockInput,
        responses={201: BlockOutput},
        tags=["listings"],
    )
    def post(self, request, property_id):
        prop = _own_property(request, property_id)
        data = validated(BlockInput, request.data)
        block = services.block_create(property=prop, **data)
        return Response(BlockOutput(block).data, status=status.HTTP_201_CREATED)


class BlockDetailView(MarketplaceAPIView):
    permission_classes = [IsMarketplaceMember]

    @extend_schema(summary="Unblock dates", responses={204: None}, tags=["listings"])
    def delete(self, request, property_id, block_id):
        block = _own_property(request, property_id).blocks.filter(pk=block_id).first()
        if block is None:
            raise NotFoundError("This listing has no block with this id.")
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
        key = {"id": str(property_id), "month": month}
        if (body := cache_get("calendar", key)) is not None:  # published listings only
            return Response(body)
        prop = selectors.property_for_viewer(property_id=property_id, user=request.user)
        if prop is None:
            raise NotFoundError(NOT_FOUND)
        year, number = (int(part) for part in month.split("-"))
        days = selectors.property_calendar(property=prop, year=year, month=number)
        body = CalendarOutput({"month": month, "days": days}).data
        if prop.status == PropertyStatus.PUBLISHED:
            cache_put("calendar", key, body)
        return Response(body)


class AmenityListView(MarketplaceAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="This marketplace's amenities",
        responses=AmenityOutput(many=True),
        tags=["listings"],
    )
    def get(self, request):
        return Response(AmenityOutput(Amenity.objects.all(), many=True).data)
