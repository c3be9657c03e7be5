"""A connection that has served more marketplace schemas than DATABASE_SCHEMAS_PER_CONNECTION
is replaced at the end of the request, so no PostgreSQL backend keeps every marketplace's
catalog entries (shared_apps.core.postgresql_backend)."""

from __future__ import annotations

import pytest
from django.db import connections

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def own_connection(marketplaces):
    """A connection of its own, outside the test's transaction, as a web process has."""
    conn = connections.create_connection("default")
    yield conn
    conn.close()


def _serve(conn, slug: str) -> int:
    """One query in a marketplace's schema, as a request on its host runs; the backend pid."""
    conn.set_schema(slug)
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM listings_property")
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_connection_over_its_schema_budget_is_replaced_at_request_end(own_connection, settings):
    # Given a budget of one marketplace per connection
    settings.DATABASE_SCHEMAS_PER_CONNECTION = 1
    first_pid = _serve(own_connection, "alpha")
    own_connection.close_if_unusable_or_obsolete()  # the end of alpha's request
    assert own_connection.connection is not None  # one schema: within budget, kept

    # When the same connection then serves bravo
    assert _serve(own_connection, "bravo") == first_pid
    own_connection.close_if_unusable_or_obsolete()  # the end of bravo's request

    # Then it is closed, and the next request gets a fresh backend that has touched one schema
    assert own_connection.connection is None
    assert _serve(own_connection, "alpha") != first_pid
    assert own_connection.schemas_touched == {"alpha"}


def test_a_connection_within_its_budget_stays_open_across_marketplaces(own_connection, settings):
    settings.DATABASE_SCHEMAS_PER_CONNECTION = 2
    pid = _serve(own_connection, "alpha")
    own_connection.close_if_unusable_or_obsolete()
    _serve(own_connection, "bravo")
    own_connection.close_if_unusable_or_obsolete()

    assert own_connection.connection is not None
    assert _serve(own_connection, "alpha") == pid
    assert own_connection.schemas_touched == {"alpha", "bravo"}


def test_the_public_schema_does_not_count_and_zero_turns_the_bound_off(own_connection, settings):
    settings.DATABASE_SCHEMAS_PER_CONNECTION = 1
    own_connection.set_schema_to_public()
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tenants_tenant")
    _serve(own_connection, "alpha")
    assert own_connection.schemas_touched == {"alpha"}

    settings.DATABASE_SCHEMAS_PER_CONNECTION = 0
    _serve(own_connection, "bravo")
    own_connection.close_if_unusable_or_obsolete()
    assert own_connection.connection is not None
