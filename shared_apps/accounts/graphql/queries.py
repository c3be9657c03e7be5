import graphene

from shared_apps.accounts.graphql.types import Me
from shared_apps.core.graphql.base import require_member


class Query(graphene.ObjectType):
    me = graphene.Field(Me, required=True, description="My profile and my role here (members).")

    @staticmethod
    def resolve_me(root, info):
        return require_member(info)
