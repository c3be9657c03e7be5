import graphene

from shared_apps.core.graphql.base import page_arguments, viewer
from shared_apps.core.graphql.pagination import keyset_page
from tenant_apps.listings.selectors import visible_property
from tenant_apps.reviews import selectors
from tenant_apps.reviews.graphql.types import ReviewPage


class Query(graphene.ObjectType):
    property_reviews = graphene.Field(
        ReviewPage,
        property_id=graphene.UUID(required=True),
        required=True,
        description="A listing's reviews, newest first (GET /api/v1/properties/{id}/reviews).",
        **page_arguments(),
    )

    @staticmethod
    def resolve_property_reviews(root, info, property_id, first: int, after: str | None = None):
        visible_property(property_id=property_id, user=viewer(info))
        reviews = selectors.reviews_of_property(property_id=property_id)
        return keyset_page(reviews, ordering=("-created", "-id"), first=first, after=after)
