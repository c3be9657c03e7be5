from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType

from shared_apps.core.graphql.pagination import page_type
from tenant_apps.reviews.models import Review

REVIEW_FIELDS = [
    "id", "rating", "cleanliness", "accuracy", "location", "value", "comment", "host_reply",
    "host_replied_at", "created",
]  # fmt: skip


class Reviewer(graphene.ObjectType):
    """A review's author as the public sees them: a first name and an avatar only."""

    first_name = graphene.String(required=True)
    avatar_url = graphene.String(required=True)


class ReviewNode(DjangoObjectType):
    author = graphene.Field(Reviewer, required=True)
    property_id = graphene.UUID(required=True)

    class Meta:
        model = Review
        name = "Review"
        fields = REVIEW_FIELDS

    @staticmethod
    def resolve_author(review: Review, info) -> Reviewer:
        return Reviewer(first_name=review.guest.first_name, avatar_url=review.guest.avatar_url)


class HiddenReviewNode(DjangoObjectType):
    """What the admin who hid a review gets back: the review and why it is hidden."""

    author = graphene.Field(Reviewer, required=True)
    property_id = graphene.UUID(required=True)

    class Meta:
        model = Review
        name = "HiddenReview"
        skip_registry = True  # Review's own type stays the one model fields resolve to
        fields = [*REVIEW_FIELDS, "is_hidden", "hidden_reason", "hidden_at"]

    resolve_author = ReviewNode.resolve_author


ReviewPage = page_type(ReviewNode, "ReviewPage")
