from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType

from shared_apps.core.graphql.base import ErrorCode, graphql_field_name
from shared_apps.core.graphql.pagination import page_type
from tenant_apps.bookings.models import Booking
from tenant_apps.listings.graphql.types import PropertyNode


class BookingNode(DjangoObjectType):
    """The fields of the REST booking, plus the listing itself."""

    property = graphene.Field(PropertyNode, required=True)
    property_id = graphene.UUID(required=True)
    property_title = graphene.String(required=True)
    guest_id = graphene.UUID(required=True)
    guest_first_name = graphene.String(required=True)

    class Meta:
        model = Booking
        name = "Booking"
        convert_choices_to_enum = False
        fields = [
            "id", "check_in", "check_out", "guests", "status", "currency", "nights",
            "nightly_price", "subtotal", "cleaning_fee", "guest_fee", "host_fee", "taxes",
            "total", "cancellation_policy", "refund_amount", "confirmed_at", "cancelled_at",
            "created", "updated",
        ]  # fmt: skip

    @staticmethod
    def resolve_property_title(booking: Booking, info) -> str:
        return booking.property.title

    @staticmethod
    def resolve_guest_first_name(booking: Booking, info) -> str:
        return booking.guest.first_name


BookingPage = page_type(BookingNode, "BookingPage")


class Price(graphene.ObjectType):
    currency = graphene.String(required=True)
    nights = graphene.Int(required=True)
    nightly_price = graphene.Decimal(required=True)
    subtotal = graphene.Decimal(required=True)
    cleaning_fee = graphene.Decimal(required=True)
    guest_fee = graphene.Decimal(required=True)
    taxes = graphene.Decimal(required=True)
    total = graphene.Decimal(required=True)


class StayProblem(graphene.ObjectType):
    code = graphene.Field(ErrorCode, required=True)
    field = graphene.String(required=True, description="The argument at fault (camelCase).")
    message = graphene.String(required=True)

    @staticmethod
    def resolve_field(problem, info) -> str:
        return graphql_field_name(problem["field"]) or ""


class Quote(graphene.ObjectType):
    bookable = graphene.Boolean(required=True)
    problems = graphene.List(graphene.NonNull(StayProblem), required=True)
    price = graphene.Field(Price)
