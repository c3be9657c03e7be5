from tenant_apps.listings.graphql.mutations import Mutation
from tenant_apps.listings.graphql.queries import Query

__all__ = ["Mutation", "Query"]
