"""GraphQL types of listings: the same fields as the REST output, camelCased."""

from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType

from shared_apps.core.errors import ApplicationError
from shared_apps.core.graphql.base import PageSize, parsed
from shared_apps.core.graphql.pagination import page_type
from shared_apps.core.tenancy import current_tenant
from tenant_apps.listings import selectors
from tenant_apps.listings.api.serializers import CalendarQuery
from tenant_apps.listings.models import Property, PropertyPhoto

DEFAULT_NESTED_REVIEWS = 5


class PublicProfile(graphene.ObjectType):
    """A host as guests see them: no email, no phone, no last name."""

    id = graphene.UUID(required=True)
    first_name = graphene.String(required=True)
    avatar_url = graphene.String(required=True)


class Rendition(graphene.ObjectType):
    """A smaller WebP copy of a photo, for srcset."""

    width = graphene.Int(required=True)
    url = graphene.String(required=True)


class PhotoNode(DjangoObjectType):
    url = graphene.String(required=True)
    renditions = graphene.List(
        graphene.NonNull(Rendition), required=True, description="Narrowest first."
    )

    class Meta:
        model = PropertyPhoto
        name = "Photo"
        fields = ["id", "width", "height", "position", "caption"]

    @staticmethod
    def resolve_url(photo: PropertyPhoto, info) -> str:
        return photo.image.url

    @staticmethod
    def resolve_renditions(photo: PropertyPhoto, info) -> list[dict]:
        return photo.rendition_list()


class Address(graphene.ObjectType):
    street = graphene.String(required=True)
    city = graphene.String(required=True)
    region = graphene.String(required=True)
    postal_code = graphene.String(required=True)
    country = graphene.String(required=True)


class CalendarDay(graphene.ObjectType):
    date = graphene.Date(required=True)
    status = graphene.String(required=True, description="free, booked or blocked")


class PropertyNode(DjangoObjectType):
    address = graphene.Field(Address, required=True)
    amenities = graphene.List(graphene.NonNull(graphene.String), required=True)
    photos = graphene.List(graphene.NonNull(PhotoNode), required=True)
    host = graphene.Field(PublicProfile, required=True)
    currency = graphene.String(required=True)
    distance_km = graphene.Float(description="With a search point only.")
    calendar = graphene.List(
        graphene.NonNull(CalendarDay),
        month=graphene.String(required=True, description="YYYY-MM"),
        required=True,
        description="Each night of the month: free, booked or blocked.",
    )
    reviews = graphene.List(
        graphene.NonNull("tenant_apps.reviews.graphql.types.ReviewNode"),
        first=graphene.Argument(PageSize, default_value=DEFAULT_NESTED_REVIEWS),
        required=True,
        description="The newest reviews (all of them, paged: propertyReviews).",
    )

    class Meta:
        model = Property
        name = "Property"
        convert_choices_to_enum = False
        fields = [
            "id", "title", "description", "property_type", "latitude", "longitude",
            "nightly_price", "cleaning_fee", "max_guests", "bedrooms", "beds", "bathrooms",
            "instant_book", "min_nights", "max_nights", "check_in_time", "check_out_time",
            "cancellation_policy", "house_rules", "status", "rating_average", "rating_count",
            "created", "updated",
        ]  # fmt: skip

    @staticmethod
    def resolve_address(prop: Property, info) -> Address:
        return Address(
            street=prop.street, city=prop.city, region=prop.region,
            postal_code=prop.postal_code, country=prop.country,
        )  # fmt: skip

    @staticmethod
    def resolve_amenities(prop: Property, info) -> list[str]:
        return sorted(amenity.code for amenity in prop.amenities.all())

    @staticmethod
    def resolve_photos(prop: Property, info):
        return prop.photos.all()  # prefetched in position order by every selector

    @staticmethod
    def resolve_host(prop: Property, info) -> PublicProfile:
        host = prop.host
        return PublicProfile(id=host.pk, first_name=host.first_name, avatar_url=host.avatar_url)

    @staticmethod
    def resolve_currency(prop: Property, info) -> str:
        return current_tenant().currency

    @staticmethod
    def resolve_distance_km(prop: Property, info) -> float | None:
        distance = getattr(prop, "distance_km", None)
        return round(distance, 2) if distance is not None else None

    @staticmethod
    def resolve_calendar(prop: Property, info, month: str) -> list[dict]:
        if any(isinstance(step, int) for step in info.path.as_list()):
            # Two queries per listing: fine for one, an N+1 for a page of them.
            raise ApplicationError(
                "Ask for a calendar on property(id), one listing at a time.",
                code="calendar_in_list",
            )
        month = parsed(CalendarQuery, {"month": month})["month"]
        year, number = (int(part) for part in month.split("-"))
        return selectors.property_calendar(property=prop, year=year, month=number)

    @staticmethod
    def resolve_reviews(prop: Property, info, first: int):
        prefetched = getattr(prop, "latest_reviews", None)
        if prefetched is not None:
            return prefetched[:first]
        from tenant_apps.reviews.selectors import reviews_of_property

        return reviews_of_property(property_id=prop.pk)[:first]


PropertyPage = page_type(PropertyNode, "PropertyPage")


class AmenityNode(graphene.ObjectType):
    class Meta:
        name = "Amenity"

    code = graphene.String(required=True)
    name = graphene.String(required=True)
