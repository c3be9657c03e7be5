from shared_apps.accounts.graphql.mutations import Mutation
from shared_apps.accounts.graphql.queries import Query

__all__ = ["Mutation", "Query"]
