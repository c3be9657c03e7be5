"""The one GraphQL schema of a marketplace host, composed from each app's Query and
Mutation (each app's graphql/ package calls the same selectors and services as its REST
API). Export it with `manage.py export_graphql_schema` (schema.graphql, checked by a test)."""

import graphene

from shared_apps.accounts.graphql import Mutation as AccountsMutation
from shared_apps.accounts.graphql import Query as AccountsQuery
from shared_apps.tenants.graphql import Query as TenantsQuery
from tenant_apps.bookings.graphql import Mutation as BookingsMutation
from tenant_apps.bookings.graphql import Query as BookingsQuery
from tenant_apps.listings.graphql import Mutation as ListingsMutation
from tenant_apps.listings.graphql import Query as ListingsQuery
from tenant_apps.payments.graphql import Mutation as PaymentsMutation
from tenant_apps.payments.graphql import Query as PaymentsQuery
from tenant_apps.reviews.graphql import Mutation as ReviewsMutation
from tenant_apps.reviews.graphql import Query as ReviewsQuery


class Query(
    ListingsQuery,
    BookingsQuery,
    PaymentsQuery,
    ReviewsQuery,
    AccountsQuery,
    TenantsQuery,
    graphene.ObjectType,
):
    pass


class Mutation(
    AccountsMutation,
    ListingsMutation,
    BookingsMutation,
    PaymentsMutation,
    ReviewsMutation,
    graphene.ObjectType,
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)

# Fields that cost more than the 1 every object or list costs, in the static cost budget
# checked before a query runs (shared_apps/core/graphql/cost.py): a calendar is two queries
# over a month of nights; a quote prices a stay against bookings, blocks and policies.
FIELD_COSTS = {
    ("Property", "calendar"): 10,
    ("Query", "quote"): 5,
}
