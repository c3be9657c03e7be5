"""CompiledRows: the same rows as the queryset it was built from, for any parameter values,
in any marketplace; a marker that doesn't reach the SQL is refused at once."""

from __future__ import annotations

import uuid

import pytest
from django_tenants.utils import tenant_context

from shared_apps.core.compiled import CompiledRows
from tenant_apps.listings.models import Property
from tenant_apps.listings.selectors import every_listing_rows
from tenant_apps.listings.tests.factories import listing_factory

MARKER = uuid.UUID(int=7)


def _by_id(pk):
    return every_listing_rows().filter(pk=pk)


def test_rows_equal_the_querysets_for_every_value_and_marketplace(alpha, bravo, host, make_member):
    rows = CompiledRows(_by_id, MARKER)
    mine = listing_factory(alpha.tenant, host, amenities=["wifi", "kitchen"], title="Alpha")
    theirs = listing_factory(bravo.tenant, make_member(bravo.tenant, "host").user, title="Bravo")
    with tenant_context(alpha.tenant):
        assert rows.rows(mine.pk) == list(_by_id(mine.pk))
        assert rows.rows(mine.pk)[0]["amenity_codes"] == ["kitchen", "wifi"]
        assert rows.rows(theirs.pk) == []
    with tenant_context(bravo.tenant):
        assert rows.rows(theirs.pk) == list(_by_id(theirs.pk))
        assert rows.rows(theirs.pk)[0]["title"] == "Bravo"
        assert rows.rows(mine.pk) == []


def test_a_marker_missing_from_the_sql_is_refused(alpha):
    rows = CompiledRows(lambda _pk: Property.objects.values("id"), MARKER)
    with tenant_context(alpha.tenant), pytest.raises(ValueError, match="marker"):
        rows.rows(uuid.uuid4())
