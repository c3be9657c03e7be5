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


# --- Connections by group of marketplaces (DATABASE_CONNECTION_GROUPS) --------------------


def _groups_apart(settings, first: str, second: str) -> None:
    """Sets the fewest groups that put the two schemas in different groups."""
    from shared_apps.core.postgresql_backend.base import connection_group

    for groups in range(2, 50):
        settings.DATABASE_CONNECTION_GROUPS = groups
        if connection_group(first) != connection_group(second):
            return
    raise AssertionError("no group count separates the two schemas")


def _current_schema(conn) -> str:
    with conn.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]


def test_each_group_of_marketplaces_has_its_own_backend_and_search_path(own_connection, settings):
    _groups_apart(settings, "alpha", "bravo")
    alpha_pid = _serve(own_connection, "alpha")
    bravo_pid = _serve(own_connection, "bravo")
    assert alpha_pid != bravo_pid  # two backends, one per group
    assert _current_schema(own_connection) == "bravo"

    # Back to alpha: its group's backend again, with alpha's search path (not whatever the
    # connection had when it was put aside).
    assert _serve(own_connection, "alpha") == alpha_pid
    assert _current_schema(own_connection) == "alpha"
    assert own_connection.schemas_touched == {"alpha"}

    # Closing closes every group's connection.
    parked = [held[0] for held in own_connection.parked.values()]
    own_connection.close()
    assert parked
    assert all(raw.closed for raw in parked)
    assert own_connection.connection is None


def test_a_transaction_stays_on_the_connection_it_began_on(own_connection, settings):
    _groups_apart(settings, "alpha", "bravo")
    pid = _serve(own_connection, "alpha")
    own_connection.set_autocommit(False)  # a transaction begins
    try:
        assert _serve(own_connection, "bravo") == pid  # mid-transaction: no switch
        assert _current_schema(own_connection) == "bravo"
    finally:
        own_connection.rollback()
        own_connection.set_autocommit(True)
    assert _serve(own_connection, "bravo") != pid  # between transactions: its own group


def test_a_connection_opened_for_the_public_schema_joins_the_first_group(own_connection, settings):
    _groups_apart(settings, "alpha", "bravo")
    own_connection.set_schema_to_public()
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        public_pid = cursor.fetchone()[0]
    assert _serve(own_connection, "alpha") == public_pid  # claimed, not set aside
    assert _serve(own_connection, "bravo") != public_pid
    assert len(own_connection.parked) == 1  # alpha's, and no idle public-only connection
