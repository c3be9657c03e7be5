from tenant_apps.reviews.graphql.mutations import Mutation
from tenant_apps.reviews.graphql.queries import Query

__all__ = ["Mutation", "Query"]
