# Model datetimes convert to our DateTime scalar (REST's format) in every app's types.
from shared_apps.core.graphql import scalars  # noqa: F401
