"""Reviews API: thin views over the reviews services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from shared_apps.core.permissions import IsMarketplaceAdmin
from shared_apps.core.serializers import validated
from shared_apps.core.views import MarketplaceAPIView, MarketplaceGenericAPIView
from tenant_apps.bookings.selectors import party_booking
from tenant_apps.listings.selectors import visible_property
from tenant_apps.reviews import selectors, services
from tenant_apps.reviews.api.serializers import (
    HiddenReviewOutput,
    HideInput,
    ReplyInput,
    ReviewInput,
    ReviewOutput,
)
from tenant_apps.reviews.models import Review


class BookingReviewView(MarketplaceAPIView):
    @extend_schema(
        summary="Review my completed stay (once per listing, within the review window)",
        request=ReviewInput,
        responses={201: ReviewOutput},
        tags=["reviews"],
    )
    def post(self, request, booking_id):
        data = validated(ReviewInput, request.data)
        booking = party_booking(booking_id=booking_id, user=request.user)
        review = services.review_create(booking=booking, author=request.user, **data)
        return Response(ReviewOutput(review).data, status=status.HTTP_201_CREATED)


class PropertyReviewListView(MarketplaceGenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ReviewOutput
    queryset = Review.objects.none()  # for the OpenAPI generator; get() scopes the rows

    @extend_schema(
        summary="A listing's reviews, newest first",
        responses=ReviewOutput(many=True),
        tags=["reviews"],
    )
    def get(self, request, property_id):
        visible_property(property_id=property_id, user=request.user)
        page = self.paginate_queryset(selectors.reviews_of_property(property_id=property_id))
        return self.get_paginated_response(ReviewOutput(page, many=True).data)


class ReviewReplyView(MarketplaceAPIView):
    @extend_schema(
        summary="Reply to a review of my listing (once)",
        request=ReplyInput,
        responses=ReviewOutput,
        tags=["reviews"],
    )
    def post(self, request, review_id):
        data = validated(ReplyInput, request.data)
        review = selectors.review_for_host(review_id=review_id, host=request.user)
        review = services.review_reply(review=review, author=request.user, **data)
        return Response(ReviewOutput(review).data)


class ReviewHideView(MarketplaceAPIView):
    permission_classes = [IsMarketplaceAdmin]

    @extend_schema(
        summary="Hide a review (admin): kept with the reason, no longer shown or counted",
        request=HideInput,
        responses=HiddenReviewOutput,
        tags=["reviews"],
    )
    def post(self, request, review_id):
        data = validated(HideInput, request.data)
        review = selectors.review_get(review_id=review_id, include_hidden=True)
        review = services.review_hide(review=review, admin=request.user, **data)
        return Response(HiddenReviewOutput(review).data)
