"""Provisioning is all or nothing."""

import pytest
from django_tenants.utils import schema_exists

from shared_apps.accounts.models import User
from shared_apps.core.errors import ConflictError
from shared_apps.tenants import services
from shared_apps.tenants.models import Domain, Tenant


def _nothing_left_of_coastal() -> None:
    assert not Tenant.objects.filter(schema_name="coastal").exists()
    assert not Domain.objects.filter(domain__in=["coastal.localhost", "book.coastal.test"]).exists()
    assert not User.objects.filter(email="owner@coastal.test").exists()
    assert not schema_exists("coastal")


def _provision():
    return services.tenant_provision(
        name="Coastal",
        slug="coastal",
        admin_email="owner@coastal.test",
        domains=["book.coastal.test"],
    )


def test_a_failure_after_the_schema_is_made_leaves_nothing_behind(
    marketplaces, db, monkeypatch, mailoutbox, django_capture_on_commit_callbacks, eager_tasks
):
    # Given the last step of provisioning fails, after the schema and the admin were made
    def broken_grant(**kwargs):
        assert schema_exists("coastal")  # the schema really was created before the failure
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "membership_grant", broken_grant)

    # When provisioning runs
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        _provision()

    # Then no tenant, domain, admin identity or schema is left, and no email went out
    _nothing_left_of_coastal()
    assert mailoutbox == []


def test_a_failure_while_migrating_leaves_nothing_behind(marketplaces, db, monkeypatch):
    def broken_migrate(*args, **kwargs):
        raise RuntimeError("migration 0042 failed")

    monkeypatch.setattr("shared_apps.tenants.pg_schemas.call_command", broken_migrate)

    with pytest.raises(RuntimeError):
        _provision()

    _nothing_left_of_coastal()


def test_a_race_on_a_domain_is_a_409_leaving_nothing(marketplaces, db, monkeypatch):
    # Given another request takes the domain between our check and our insert
    monkeypatch.setattr(services, "domain_taken", lambda domain: False)
    Domain.objects.create(
        tenant=marketplaces["bravo"].tenant, domain="book.coastal.test", is_primary=False
    )

    with pytest.raises(ConflictError):
        _provision()

    assert not Tenant.objects.filter(schema_name="coastal").exists()
    assert not schema_exists("coastal")


def test_provisioned_schema_has_the_tenant_tables(marketplaces, db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'alpha'"
        )
        tables = {row[0] for row in cursor.fetchall()}

    assert {"django_migrations", "django_content_type", "django_admin_log"} <= tables
    assert "accounts_user" not in tables  # shared tables live once, in public
