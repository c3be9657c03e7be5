import graphene

from shared_apps.core.graphql.base import (
    BaseMutation,
    input_dict,
    require_admin,
    require_member,
)
from shared_apps.core.serializers import validated
from tenant_apps.bookings.selectors import party_booking
from tenant_apps.reviews import selectors, services
from tenant_apps.reviews.api.serializers import HideInput, ReplyInput
from tenant_apps.reviews.api.serializers import ReviewInput as ReviewInputSerializer
from tenant_apps.reviews.graphql.types import HiddenReviewNode, ReviewNode


class ReviewInput(graphene.InputObjectType):
    rating = graphene.Int(required=True, description="1 to 5")
    cleanliness = graphene.Int()
    accuracy = graphene.Int()
    location = graphene.Int()
    value = graphene.Int()
    comment = graphene.String(required=True)


class CreateReview(BaseMutation):
    """Review my completed stay (POST /api/v1/bookings/{id}/review)."""

    class Arguments:
        booking_id = graphene.UUID(required=True)
        input = ReviewInput(required=True)

    review = graphene.Field(ReviewNode)

    @classmethod
    def perform(cls, root, info, booking_id, input):
        user = require_member(info)
        data = validated(ReviewInputSerializer, input_dict(input))
        booking = party_booking(booking_id=booking_id, user=user)
        return {"review": services.review_create(booking=booking, author=user, **data)}


class ReplyToReview(BaseMutation):
    class Arguments:
        review_id = graphene.UUID(required=True)
        reply = graphene.String(required=True)

    review = graphene.Field(ReviewNode)

    @classmethod
    def perform(cls, root, info, review_id, reply):
        user = require_member(info)
        data = validated(ReplyInput, {"reply": reply})
        review = selectors.review_for_host(review_id=review_id, host=user)
        return {"review": services.review_reply(review=review, author=user, **data)}


class HideReview(BaseMutation):
    class Arguments:
        review_id = graphene.UUID(required=True)
        reason = graphene.String(required=True)

    review = graphene.Field(HiddenReviewNode)

    @classmethod
    def perform(cls, root, info, review_id, reason):
        admin = require_admin(info)
        data = validated(HideInput, {"reason": reason})
        review = selectors.review_get(review_id=review_id, include_hidden=True)
        return {"review": services.review_hide(review=review, admin=admin, **data)}


class Mutation(graphene.ObjectType):
    create_review = CreateReview.Field()
    reply_to_review = ReplyToReview.Field()
    hide_review = HideReview.Field()
