"""Bookings API: thin views over the bookings services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from shared_apps.core.serializers import validated
from shared_apps.core.throttling import ResilientScopedRateThrottle
from shared_apps.core.views import MarketplaceAPIView, MarketplaceGenericAPIView
from tenant_apps.bookings import selectors, services
from tenant_apps.bookings.api.serializers import (
    BookingInput,
    BookingListQuery,
    BookingOutput,
    NoteInput,
    QuoteOutput,
    QuoteQuery,
)
from tenant_apps.bookings.models import Booking
from tenant_apps.listings.selectors import visible_property


class QuoteView(MarketplaceAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Price of a stay, and whether it can be booked (with the reasons)",
        parameters=[QuoteQuery],
        responses=QuoteOutput,
        tags=["bookings"],
    )
    def get(self, request, property_id):
        stay = validated(QuoteQuery, request.query_params)
        prop = visible_property(property_id=property_id, user=request.user)
        guest = request.user if request.user.is_authenticated else None
        body = services.stay_quote(property=prop, guest=guest, **stay)
        return Response(QuoteOutput(body).data)


class BookingListCreateView(MarketplaceGenericAPIView):
    serializer_class = BookingOutput
    queryset = Booking.objects.none()  # for the OpenAPI generator; get() scopes the rows
    throttle_scope = "booking"

    def get_throttles(self):
        return [ResilientScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        summary="My trips, or bookings of my listings (?as=host)",
        parameters=[BookingListQuery],
        responses=BookingOutput(many=True),
        tags=["bookings"],
    )
    def get(self, request):
        query = validated(BookingListQuery, request.query_params)
        as_host = query.pop("as") == "host"
        bookings = (
            selectors.bookings_of_host(host=request.user)
            if as_host
            else selectors.bookings_of_guest(guest=request.user)
        )
        bookings = selectors.filter_bookings(bookings, **query)
        page = self.paginate_queryset(bookings)
        return self.get_paginated_response(BookingOutput(page, many=True).data)

    @extend_schema(
        summary="Book a stay",
        request=BookingInput,
        responses={201: BookingOutput},
        tags=["bookings"],
    )
    def post(self, request):
        stay = validated(BookingInput, request.data)
        booking = services.booking_create(
            property_id=stay["property_id"], guest=request.user, check_in=stay["check_in"],
            check_out=stay["check_out"], guests=stay["guests"],
        )  # fmt: skip
        return Response(BookingOutput(booking).data, status=status.HTTP_201_CREATED)


def _booking(request, booking_id) -> Booking:
    return selectors.party_booking(booking_id=booking_id, user=request.user)


class BookingDetailView(MarketplaceAPIView):
    @extend_schema(
        summary="A booking (its guest and host only)", responses=BookingOutput, tags=["bookings"]
    )
    def get(self, request, booking_id):
        return Response(BookingOutput(_booking(request, booking_id)).data)


def _transition_view(service, summary: str):
    class TransitionView(MarketplaceAPIView):
        @extend_schema(
            summary=summary, request=NoteInput, responses=BookingOutput, tags=["bookings"]
        )
        def post(self, request, booking_id):
            data = validated(NoteInput, request.data)
            booking = service(booking=_booking(request, booking_id), actor=request.user, **data)
            return Response(BookingOutput(booking).data)

    TransitionView.__name__ = f"{service.__name__.title().replace('_', '')}View"
    return TransitionView


AcceptView = _transition_view(services.booking_accept, "Accept a booking request (host)")
DeclineView = _transition_view(services.booking_decline, "Decline a booking request (host)")
CancelView = _transition_view(services.booking_cancel, "Cancel a booking (guest or host)")
