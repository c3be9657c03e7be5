import graphene

from shared_apps.accounts.models import User
from shared_apps.core.graphql.scalars import DateTime


class MembershipNode(graphene.ObjectType):
    class Meta:
        name = "Membership"

    role = graphene.String(required=True)
    joined = DateTime(required=True)


class Me(graphene.ObjectType):
    """My profile, and my membership of this marketplace only (never another's)."""

    id = graphene.UUID(required=True)
    email = graphene.String(required=True)
    first_name = graphene.String(required=True)
    last_name = graphene.String(required=True)
    phone = graphene.String(required=True)
    avatar_url = graphene.String(required=True)
    date_joined = DateTime(required=True)
    membership = graphene.Field(MembershipNode, required=True)

    @staticmethod
    def resolve_membership(user: User, info) -> MembershipNode:
        from shared_apps.core.graphql.base import membership

        found = membership(info)
        return MembershipNode(role=found.role, joined=found.created)


class UserNode(graphene.ObjectType):
    class Meta:
        name = "User"

    id = graphene.UUID(required=True)
    email = graphene.String(required=True)
    first_name = graphene.String(required=True)
    last_name = graphene.String(required=True)
