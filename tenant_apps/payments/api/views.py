"""Payments API: thin views over the payments services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from shared_apps.core.errors import NotFoundError
from shared_apps.core.metrics import webhook_metrics
from shared_apps.core.pagination import page_parameters
from shared_apps.core.permissions import IsMarketplaceAdmin, IsMarketplaceHost
from shared_apps.core.serializers import validated
from shared_apps.core.views import MarketplaceAPIView, MarketplaceGenericAPIView
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.selectors import party_booking
from tenant_apps.payments import selectors, services
from tenant_apps.payments.api.serializers import (
    KeyCheckOutput,
    MarkPaidInput,
    PaymentOutput,
    PaymentSettingsInput,
    PaymentSettingsOutput,
    PaymentStartInput,
    PaymentStartOutput,
    PayoutOutput,
    PayoutPageOutput,
    PayoutQuery,
    PayoutTotalOutput,
    WebhookOutput,
)
from tenant_apps.payments.constants import Provider

TAGS = ["payments"]


class PaymentSettingsView(MarketplaceAPIView):
    permission_classes = [IsMarketplaceAdmin]

    @extend_schema(
        summary="This marketplace's payment provider and keys (secrets: last 4 only)",
        responses=PaymentSettingsOutput,
        tags=TAGS,
    )
    def get(self, request):
        settings = selectors.payment_settings()
        return Response(PaymentSettingsOutput(settings, context={"request": request}).data)

    @extend_schema(
        summary="Set the provider and keys (secrets left out keep their stored value)",
        request=PaymentSettingsInput,
        responses=PaymentSettingsOutput,
        tags=TAGS,
    )
    def put(self, request):
        data = validated(PaymentSettingsInput, request.data)
        settings = services.payment_settings_update(**data)
        return Response(PaymentSettingsOutput(settings, context={"request": request}).data)


class PaymentSettingsCheckView(MarketplaceAPIView):
    permission_classes = [IsMarketplaceAdmin]

    @extend_schema(
        summary="Ask the provider whether the stored keys work",
        request=None,
        responses={200: KeyCheckOutput},
        tags=TAGS,
    )
    def post(self, request):
        provider = services.payment_settings_check()
        message = (
            "Offline payments need no keys."
            if provider == Provider.OFFLINE
            else f"{Provider(provider).label} accepted the keys."
        )
        return Response(KeyCheckOutput({"ok": True, "provider": provider, "message": message}).data)


class BookingPaymentsView(MarketplaceAPIView):
    @extend_schema(
        summary="Payments of a booking (its guest and host)",
        responses=PaymentOutput(many=True),
        tags=TAGS,
    )
    def get(self, request, booking_id):
        booking = party_booking(booking_id=booking_id, user=request.user)
        payments = selectors.payments_of_booking(booking=booking)
        return Response(PaymentOutput(payments, many=True).data)

    @extend_schema(
        summary="Start paying: the provider's client secret and publishable key, its payment "
        "page, or the offline instructions (guest); asking again returns the same page",
        request=PaymentStartInput,
        responses={201: PaymentStartOutput},
        tags=TAGS,
    )
    def post(self, request, booking_id):
        data = validated(PaymentStartInput, request.data)
        started = services.payment_start(booking_id=booking_id, guest=request.user, **data)
        return Response(PaymentStartOutput(started).data, status=status.HTTP_201_CREATED)


class MarkPaidView(MarketplaceAPIView):
    permission_classes = [IsMarketplaceAdmin]

    @extend_schema(
        summary="Record cash or a bank transfer received (offline marketplaces, admin)",
        request=MarkPaidInput,
        responses={201: PaymentOutput},
        tags=TAGS,
    )
    def post(self, request, booking_id):
        data = validated(MarkPaidInput, request.data)
        payment = services.payment_mark_paid(booking_id=booking_id, **data)
        return Response(PaymentOutput(payment).data, status=status.HTTP_201_CREATED)


class WebhookView(MarketplaceAPIView):
    """Signed events from the provider: no user, the signature is the authentication."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Provider events, signed with this marketplace's webhook secret",
        request={"application/json": {"type": "object"}},
        responses={200: WebhookOutput, 400: OpenApiResponse(description="Bad signature")},
        tags=TAGS,
    )
    @webhook_metrics
    def post(self, request, provider):
        if provider not in (Provider.STRIPE, Provider.PAYSTACK):
            raise NotFoundError(f"No payment provider is called {provider!r}.")
        outcome = services.webhook_receive(
            provider=provider, body=request.body, headers=request.headers
        )
        return Response(WebhookOutput({"received": True, "outcome": outcome}).data)


class PayoutsView(MarketplaceGenericAPIView):
    permission_classes = [IsMarketplaceHost]
    serializer_class = PayoutOutput
    queryset = Booking.objects.none()  # for the OpenAPI generator; get() scopes the rows

    @extend_schema(
        summary="My earnings per completed stay, with totals (host)",
        parameters=[PayoutQuery, *page_parameters()],
        responses=PayoutPageOutput,
        tags=TAGS,
    )
    def get(self, request):
        query = validated(PayoutQuery, request.query_params)
        stays = selectors.payouts_of_host(
            host=request.user, date_from=query.get("from"), date_to=query.get("to")
        )
        page = self.paginate_queryset(stays)
        response = self.get_paginated_response(PayoutOutput(page, many=True).data)
        response.data["totals"] = PayoutTotalOutput(selectors.payout_totals(stays), many=True).data
        return response
