"""`manage.py migrate_all_schemas`: skips current schemas, migrates the rest in parallel
processes, goes on past a failing schema and reports it, and a re-run finishes the rest."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from shared_apps.tenants.fingerprints import code_fingerprint
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_delete, tenant_provision
from shared_apps.tenants.tests.probe import storefront_gains_a_migration
from tests.support.concurrency import committed, in_thread

pytestmark = pytest.mark.django_db(transaction=False)

SLUGS = ["mig-a", "mig-b", "mig-c"]
# The code gains one tenant migration: storefront_probe in every marketplace schema.
NEW_MIGRATION = override_settings(
    MIGRATION_MODULES={
        "storefront": storefront_gains_a_migration(
            Path(tempfile.mkdtemp(prefix="rental-test-migrations-"))
        )
    }
)


@pytest.fixture(scope="module")
def three(marketplaces, django_db_blocker):
    """Three committed marketplaces (the command's processes see only committed rows)."""
    with django_db_blocker.unblock():
        for slug in SLUGS:
            committed(lambda s=slug: tenant_provision(name=s, slug=s, admin_email=f"o@{s}.test"))
        yield SLUGS
        for slug in SLUGS:
            committed(
                lambda s=slug: tenant_delete(
                    tenant=Tenant.objects.get(schema_name=s), confirm_slug=s, archive=False
                )
            )


def _run(*slugs: str, **options) -> tuple[str, Exception | None]:
    """The command, in its own thread and connection; (output, the error it exited with)."""
    out = io.StringIO()

    def command():
        call_command(
            "migrate_all_schemas", schemas=",".join(slugs), processes=2, skip_public=True,
            skip_pool=True, stdout=out, stderr=out, **options,
        )  # fmt: skip

    result = in_thread(command)
    return out.getvalue(), result if isinstance(result, Exception) else None


def _sql(statement: str) -> None:
    committed(lambda: connection.cursor().execute(statement))


def _has_probe(slug: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{slug}".storefront_probe'])
        return cursor.fetchone()[0] is not None


def _fingerprint(slug: str) -> str:
    return Tenant.objects.get(schema_name=slug).schema_fingerprint


def test_current_schemas_are_skipped_without_running_migrations(three):
    output, error = _run(*three)

    assert error is None
    assert "3 up to date (skipped), 0 to migrate" in output


def test_a_failing_schema_is_reported_the_others_migrate_and_a_rerun_finishes(three):
    _sql('CREATE TABLE "mig-b".storefront_probe (id int)')  # the new migration fails here
    try:
        with NEW_MIGRATION:
            output, error = _run(*three)

            # the command went on past mig-b, reported it with its error, and exited non-zero
            assert isinstance(error, CommandError)
            assert "mig-b: ProgrammingError" in str(error)
            assert 'relation "storefront_probe" already exists' in str(error)
            assert "FAILED  mig-b" in output
            assert "ok      mig-a  1 applied" in output
            assert "ok      mig-c  1 applied" in output
            assert "3/3 schemas" in output  # the progress line counts every schema
            assert _fingerprint("mig-a") == _fingerprint("mig-c") == code_fingerprint()
            assert _fingerprint("mig-b") != code_fingerprint()

            # once the cause is gone, a re-run migrates only what is left
            _sql('DROP TABLE "mig-b".storefront_probe')
            output, error = _run(*three)

            assert error is None
            assert "2 up to date (skipped), 1 to migrate" in output
            assert "ok      mig-b  1 applied" in output
            assert all(_has_probe(slug) for slug in three)
            assert _fingerprint("mig-b") == code_fingerprint()
    finally:
        for slug in three:  # back to the code's real migrations
            _sql(f'DROP TABLE IF EXISTS "{slug}".storefront_probe')
            _sql(f"DELETE FROM \"{slug}\".django_migrations WHERE app = 'storefront'")  # noqa: S608
        committed(
            lambda: Tenant.objects.filter(schema_name__in=three).update(
                schema_fingerprint=code_fingerprint()
            )
        )


def test_a_failing_canary_stops_the_rollout_before_the_other_schemas(three):
    _sql('CREATE TABLE "mig-a".storefront_probe (id int)')  # mig-a runs first, and fails
    try:
        with NEW_MIGRATION:
            output, error = _run(*three, canary=1)

            assert isinstance(error, CommandError)
            assert "mig-a: ProgrammingError" in str(error)
            assert "canary failed: 1 of 1 schemas; the other 2 were not touched." in output
            assert not _has_probe("mig-b")
            assert not _has_probe("mig-c")
            assert _fingerprint("mig-b") != code_fingerprint()
    finally:
        _sql('DROP TABLE IF EXISTS "mig-a".storefront_probe')


def test_an_unknown_slug_is_a_clear_error(three):
    _output, error = _run("mig-a", "no-such-shop")

    assert isinstance(error, CommandError)
    assert "no-such-shop" in str(error)


def test_a_schema_never_migrated_is_behind_not_an_error(db):
    from shared_apps.tenants.fingerprints import applied_fingerprint, fingerprint

    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "never-migrated"')  # like public in a new database

    assert applied_fingerprint("never-migrated") == fingerprint(())
    assert applied_fingerprint("never-migrated") != code_fingerprint()
