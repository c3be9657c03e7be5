"""Provisioning from the pool of spare schemas, from the template, and by replaying
migrations: each path gives a schema built exactly like a freshly migrated one."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tenants.utils import schema_exists

from shared_apps.tenants.fingerprints import code_fingerprint
from shared_apps.tenants.models import SpareSchema
from shared_apps.tenants.pg_schemas import schema_migrate_new, schema_signature
from shared_apps.tenants.pool import pool_drain, pool_refill
from shared_apps.tenants.services import tenant_provision
from tests.support.concurrency import committed

pytestmark = pytest.mark.django_db(transaction=False)

POOL_SIZE = 2


@pytest.fixture(scope="module")
def pool(marketplaces, django_db_blocker):
    """A template and two spares, committed (cloning and claiming read committed schemas);
    each test's own changes to the pool are rolled back with the test."""
    with django_db_blocker.unblock():
        committed(lambda: pool_refill(size=POOL_SIZE))
        yield
        committed(pool_drain)


def _spares() -> list[str]:
    return list(
        SpareSchema.objects.filter(kind=SpareSchema.Kind.SPARE).values_list("name", flat=True)
    )


def _provision(slug: str):
    return tenant_provision(name=slug.title(), slug=slug, admin_email=f"owner@{slug}.test")


@pytest.fixture(scope="module")
def fresh(marketplaces, django_db_blocker) -> dict:
    """The signature of a schema made by replaying every migration: the yardstick."""

    def replayed() -> dict:
        with transaction.atomic():
            schema_migrate_new(schema_name="reference")
            signature = schema_signature("reference")
            transaction.set_rollback(True)
        return signature

    with django_db_blocker.unblock():
        return committed(replayed)


def test_a_marketplace_from_the_pool_is_built_like_a_freshly_migrated_one(pool, fresh):
    spares_before = _spares()

    result = _provision("pooled")

    assert result.schema_source == "pool"
    # one spare was renamed to the slug: it is gone from the pool, and no copy was made
    spares_after = _spares()
    assert len(spares_after) == len(spares_before) - 1
    (claimed,) = set(spares_before) - set(spares_after)
    assert not schema_exists(claimed)
    assert schema_signature("pooled") == fresh
    assert result.tenant.schema_fingerprint == code_fingerprint()


def test_with_the_pool_empty_the_template_is_cloned_like_a_freshly_migrated_one(pool, fresh):
    SpareSchema.objects.filter(kind=SpareSchema.Kind.SPARE).delete()  # rolled back after

    result = _provision("cloned")

    assert result.schema_source == "template"
    signature = schema_signature("cloned")
    assert signature == fresh
    # the parts that cloning gets wrong when done naively are really there
    constraints = {row[1] for row in signature["constraints"]}
    assert "bookings_no_overlap" in constraints
    assert "django_content_type_app_label_model_76bd3d3b_uniq" in constraints
    assert ("django_admin_log_id_seq", "integer") in {row[:2] for row in signature["sequences"]}
    assert result.tenant.schema_fingerprint == code_fingerprint()


def test_without_pool_or_template_the_migrations_are_replayed(pool, fresh):
    SpareSchema.objects.all().delete()

    result = _provision("replayed")

    assert result.schema_source == "replay"
    assert schema_signature("replayed") == fresh
    assert result.tenant.schema_fingerprint == code_fingerprint()


def test_a_clone_keeps_the_rows_and_sequence_positions_of_the_template(pool):
    from django.db import connection

    SpareSchema.objects.filter(kind=SpareSchema.Kind.SPARE).delete()
    _provision("seeded")

    with connection.cursor() as cursor:
        cursor.execute('SELECT count(*) FROM "seeded".listings_amenity')
        amenities = cursor.fetchone()[0]
        # the next amenity gets the next id, not one the seed rows already hold
        cursor.execute(
            'INSERT INTO "seeded".listings_amenity (code, name) VALUES (%s, %s) RETURNING id',
            ["sauna-test", "Sauna"],
        )
        new_id = cursor.fetchone()[0]
        cursor.execute('SELECT max(id) FROM "seeded".listings_amenity WHERE id <> %s', [new_id])
        assert new_id > cursor.fetchone()[0]
    assert amenities > 0


def test_claiming_a_spare_refills_the_pool_in_the_background(
    pool, settings, eager_tasks, django_capture_on_commit_callbacks
):
    settings.SCHEMA_POOL_SIZE = POOL_SIZE
    assert len(_spares()) == POOL_SIZE

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = _provision("refilled")

    assert result.schema_source == "pool"
    assert callbacks  # the refill task was sent once provisioning committed
    spares = _spares()
    assert len(spares) == POOL_SIZE
    assert SpareSchema.objects.filter(name__in=spares, fingerprint=code_fingerprint()).count() == 2


def test_a_migration_change_discards_stale_spares_and_template(pool):
    stale = list(SpareSchema.objects.values_list("name", flat=True))
    SpareSchema.objects.update(fingerprint="0" * 64)  # as if the code gained a migration

    # stale spares are never claimed
    assert _provision("after-change").schema_source == "replay"

    report = pool_refill(size=POOL_SIZE)

    assert sorted(report.dropped) == sorted(stale)
    assert not any(schema_exists(name) for name in stale)
    assert report.template_built
    assert report.spares_made == POOL_SIZE
    assert set(SpareSchema.objects.values_list("fingerprint", flat=True)) == {code_fingerprint()}


def test_two_sign_ups_at_once_each_claim_their_own_spare(pool):
    from shared_apps.tenants.models import Tenant
    from shared_apps.tenants.services import tenant_delete
    from tests.support.concurrency import run_together

    spares = set(_spares())
    try:
        results = run_together([lambda: _provision("twin-one"), lambda: _provision("twin-two")])

        assert [r.schema_source for r in results] == ["pool", "pool"]
        assert _spares() == []  # both spares went, one each
        assert schema_exists("twin-one")
        assert schema_exists("twin-two")
        assert not any(schema_exists(name) for name in spares)
    finally:
        for slug in ("twin-one", "twin-two"):
            committed(
                lambda s=slug: [
                    tenant_delete(tenant=t, confirm_slug=s, archive=False)
                    for t in Tenant.objects.filter(schema_name=s)
                ]
            )
        committed(lambda: pool_refill(size=POOL_SIZE))
