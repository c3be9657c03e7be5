import graphene

from shared_apps.core.tenancy import current_tenant


class Branding(graphene.ObjectType):
    """GET /api/v1/branding: the marketplace's name, logo and colours."""

    name = graphene.String(required=True)
    display_name = graphene.String(required=True)
    logo_url = graphene.String(required=True)
    hero_url = graphene.String(required=True)
    primary_color = graphene.String(required=True)
    accent_color = graphene.String(required=True)
    support_email = graphene.String(required=True)
    currency = graphene.String(required=True)
    timezone = graphene.String(required=True)


class Query(graphene.ObjectType):
    branding = graphene.Field(Branding, required=True)

    @staticmethod
    def resolve_branding(root, info):
        return current_tenant()


__all__ = ["Query"]
