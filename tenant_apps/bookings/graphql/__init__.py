from tenant_apps.bookings.graphql.mutations import Mutation
from tenant_apps.bookings.graphql.queries import Query

__all__ = ["Mutation", "Query"]
