"""Booking mutations: the REST serializers, throttle, lookups and state-machine services.
(`startPayment` lives with the payments app: tenant_apps/payments/graphql.)"""

import graphene

from shared_apps.core.graphql.base import BaseMutation, require_member, throttle
from shared_apps.core.serializers import validated
from tenant_apps.bookings import selectors, services
from tenant_apps.bookings.api.serializers import BookingInput as BookingInputSerializer
from tenant_apps.bookings.api.serializers import NoteInput
from tenant_apps.bookings.graphql.types import BookingNode


class BookingInput(graphene.InputObjectType):
    property_id = graphene.UUID(required=True)
    check_in = graphene.Date(required=True)
    check_out = graphene.Date(required=True)
    guests = graphene.Int(required=True)


class CreateBooking(BaseMutation):
    """Book a stay (POST /api/v1/bookings)."""

    class Arguments:
        input = BookingInput(required=True)

    booking = graphene.Field(BookingNode)

    @classmethod
    def perform(cls, root, info, input):
        guest = require_member(info)
        throttle(info, "booking")
        stay = validated(BookingInputSerializer, dict(input))
        booking = services.booking_create(
            property_id=stay["property_id"], guest=guest, check_in=stay["check_in"],
            check_out=stay["check_out"], guests=stay["guests"],
        )  # fmt: skip
        return {"booking": booking}


def _transition(service, name: str, description: str):
    class Transition(BaseMutation):
        class Meta:
            abstract = True

        class Arguments:
            id = graphene.UUID(required=True)
            note = graphene.String()

        booking = graphene.Field(BookingNode)

        @classmethod
        def perform(cls, root, info, id, note=None):
            user = require_member(info)
            data = validated(NoteInput, {} if note is None else {"note": note})
            booking = selectors.party_booking(booking_id=id, user=user)
            return {"booking": service(booking=booking, actor=user, **data)}

    return type(name, (Transition,), {"__doc__": description})


AcceptBooking = _transition(
    services.booking_accept, "AcceptBooking", "Accept a booking request (host)."
)
DeclineBooking = _transition(
    services.booking_decline, "DeclineBooking", "Decline a booking request (host)."
)
CancelBooking = _transition(
    services.booking_cancel, "CancelBooking", "Cancel a booking (guest or host)."
)


class Mutation(graphene.ObjectType):
    create_booking = CreateBooking.Field()
    accept_booking = AcceptBooking.Field()
    decline_booking = DeclineBooking.Field()
    cancel_booking = CancelBooking.Field()
