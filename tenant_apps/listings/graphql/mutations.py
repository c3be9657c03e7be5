"""Listing mutations: the REST input serializer, ownership check and services."""

from __future__ import annotations

import graphene

from shared_apps.core.graphql.base import BaseMutation, input_dict, require_host, require_member
from shared_apps.core.serializers import validated
from tenant_apps.listings import selectors, services
from tenant_apps.listings.api.serializers import PropertyInput as PropertyInputSerializer
from tenant_apps.listings.graphql.types import PropertyNode
from tenant_apps.listings.models import Property


class PropertyInput(graphene.InputObjectType):
    """The fields of POST/PATCH /api/v1/properties; an edit changes only those given."""

    title = graphene.String()
    description = graphene.String()
    property_type = graphene.String()
    street = graphene.String()
    city = graphene.String()
    region = graphene.String()
    postal_code = graphene.String()
    country = graphene.String()
    latitude = graphene.Decimal()
    longitude = graphene.Decimal()
    nightly_price = graphene.Decimal()
    cleaning_fee = graphene.Decimal()
    max_guests = graphene.Int()
    bedrooms = graphene.Int()
    beds = graphene.Int()
    bathrooms = graphene.Decimal()
    amenities = graphene.List(graphene.NonNull(graphene.String))
    instant_book = graphene.Boolean()
    min_nights = graphene.Int()
    max_nights = graphene.Int()
    check_in_time = graphene.Time()
    check_out_time = graphene.Time()
    cancellation_policy = graphene.String()
    house_rules = graphene.String()


def _fresh(prop: Property) -> Property:
    return selectors.property_with_related(property_id=prop.pk)


class CreateProperty(BaseMutation):
    """Create a listing as a draft (hosts)."""

    class Arguments:
        input = PropertyInput(required=True)

    property = graphene.Field(PropertyNode)

    @classmethod
    def perform(cls, root, info, input):
        host = require_host(info)
        data = validated(PropertyInputSerializer, input_dict(input))
        return {"property": _fresh(services.property_create(host=host, data=data))}


class UpdateProperty(BaseMutation):
    """Edit my listing (only the fields given)."""

    class Arguments:
        id = graphene.UUID(required=True)
        input = PropertyInput(required=True)

    property = graphene.Field(PropertyNode)

    @classmethod
    def perform(cls, root, info, id, input):
        require_member(info)
        prop = selectors.property_for_host(property_id=id, host=info.context.user)
        data = validated(PropertyInputSerializer, input_dict(input), partial=True)
        return {"property": _fresh(services.property_update(property=prop, data=data))}


class PublishProperty(BaseMutation):
    """Publish my listing (it must be complete)."""

    class Arguments:
        id = graphene.UUID(required=True)

    property = graphene.Field(PropertyNode)

    @classmethod
    def perform(cls, root, info, id):
        require_member(info)
        prop = services.property_publish(
            property=selectors.property_for_host(property_id=id, host=info.context.user)
        )
        return {"property": _fresh(prop)}


class UnlistProperty(BaseMutation):
    """Unlist my listing (kept, no longer found)."""

    class Arguments:
        id = graphene.UUID(required=True)

    property = graphene.Field(PropertyNode)

    @classmethod
    def perform(cls, root, info, id):
        require_member(info)
        prop = services.property_unlist(
            property=selectors.property_for_host(property_id=id, host=info.context.user)
        )
        return {"property": _fresh(prop)}


class Mutation(graphene.ObjectType):
    create_property = CreateProperty.Field()
    update_property = UpdateProperty.Field()
    publish_property = PublishProperty.Field()
    unlist_property = UnlistProperty.Field()
