"""A marketplace's settings rows (booking policy, review policy, payment settings): one row
per schema, made by a migration, held to one by the database, read without writing."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.bookings.models import BookingPolicy
from tenant_apps.payments.models import PaymentSettings
from tenant_apps.reviews.models import ReviewPolicy

SINGLETONS = [BookingPolicy, ReviewPolicy, PaymentSettings]


@pytest.mark.parametrize("model", SINGLETONS, ids=lambda m: m.__name__)
def test_every_marketplace_has_its_row_from_the_migration(alpha, bravo, model):
    for market in (alpha, bravo):
        with tenant_context(market.tenant):
            assert model.objects.count() == 1


@pytest.mark.parametrize("model", SINGLETONS, ids=lambda m: m.__name__)
def test_the_database_refuses_a_second_row(alpha, model):
    with tenant_context(alpha.tenant):
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.create()
        # Nor a row that claims not to be the singleton (the CHECK constraint).
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.create(singleton=False)


@pytest.mark.parametrize("model", SINGLETONS, ids=lambda m: m.__name__)
def test_load_reads_and_never_writes(alpha, model):
    with tenant_context(alpha.tenant), CaptureQueriesContext(connection) as queries:
        row = model.load()
        locked = model.load(for_update=True)

    assert row.pk == locked.pk
    sql = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET ")]
    assert [statement.split()[0] for statement in sql] == ["SELECT", "SELECT"]
    assert "FOR UPDATE" in sql[1]


def test_payment_settings_follow_the_marketplaces_currency_until_one_is_chosen(alpha, api):
    with tenant_context(alpha.tenant):
        settings = PaymentSettings.load()
        assert settings.currency == ""

    shown = api(alpha.host, alpha.admin).get("/api/v1/payment-settings").json()

    assert shown["currency"] == alpha.tenant.currency
