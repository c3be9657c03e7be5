"""Payments in GraphQL: a booking's payments, and starting to pay, on the same selectors and
services as the REST endpoints (GET and POST /api/v1/bookings/{id}/payments)."""

from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType

from shared_apps.core.graphql.base import BaseMutation, require_member
from shared_apps.core.serializers import validated
from tenant_apps.bookings.selectors import party_booking
from tenant_apps.payments import selectors, services
from tenant_apps.payments.api.serializers import PaymentStartInput
from tenant_apps.payments.models import Payment, Refund


class RefundNode(DjangoObjectType):
    class Meta:
        model = Refund
        name = "Refund"
        convert_choices_to_enum = False
        fields = ["id", "amount", "status", "reason", "created", "updated"]


class PaymentNode(DjangoObjectType):
    """The fields of the REST payment."""

    booking_id = graphene.UUID(required=True)
    refunds = graphene.List(graphene.NonNull(RefundNode), required=True)

    class Meta:
        model = Payment
        name = "Payment"
        convert_choices_to_enum = False
        fields = [
            "id", "attempt", "provider", "reference", "amount", "amount_refunded", "currency",
            "method", "status", "capture_manually", "failure_message", "created", "updated",
            "succeeded_at",
        ]  # fmt: skip

    @staticmethod
    def resolve_refunds(payment: Payment, info):
        return payment.refunds.all()  # prefetched by payments_of_booking


class StartPayment(BaseMutation):
    """Start paying for a booking (guest): the provider's client secret and publishable key
    (Stripe), its payment page (Paystack), or how to pay offline."""

    class Arguments:
        booking_id = graphene.UUID(required=True)
        method = graphene.String(description="Offline marketplaces: cash or bank_transfer.")

    payment = graphene.Field(PaymentNode)
    provider = graphene.String()
    client_secret = graphene.String()
    publishable_key = graphene.String()
    redirect_url = graphene.String()
    instructions = graphene.String()
    return_url = graphene.String()

    @classmethod
    def perform(cls, root, info, booking_id, method=None):
        guest = require_member(info)
        data = validated(PaymentStartInput, {} if method is None else {"method": method})
        started = services.payment_start(booking_id=booking_id, guest=guest, **data)
        return {
            "payment": started.payment, "provider": started.provider,
            "client_secret": started.client_secret, "publishable_key": started.publishable_key,
            "redirect_url": started.redirect_url, "instructions": started.instructions,
            "return_url": started.return_url,
        }  # fmt: skip


class Query(graphene.ObjectType):
    booking_payments = graphene.List(
        graphene.NonNull(PaymentNode),
        required=True,
        booking_id=graphene.UUID(required=True),
        description="Payments of a booking (its guest and host).",
    )

    @staticmethod
    def resolve_booking_payments(root, info, booking_id):
        user = require_member(info)
        booking = party_booking(booking_id=booking_id, user=user)
        return selectors.payments_of_booking(booking=booking)


class Mutation(graphene.ObjectType):
    start_payment = StartPayment.Field()
