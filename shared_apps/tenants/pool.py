"""The pool of spare schemas and the template they are cloned from.

Provisioning claims a spare (renaming it to the new slug) inside its own transaction; a
platform task refills the pool in the background (`tenants.refill_schema_pool`, after each
claim and on beat's schedule). Spares and the template carry the fingerprint of the
migrations applied to them: only spares at the code's fingerprint are claimed, and a refill
drops every spare and template left behind by a migration change, so a claimed schema is
always at the latest migration state."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_exists

from shared_apps.core.outbox import publish_after_commit
from shared_apps.tenants.fingerprints import applied_fingerprint, code_fingerprint
from shared_apps.tenants.models import SpareSchema
from shared_apps.tenants.pg_schemas import (
    CloneError,
    schema_clone,
    schema_drop,
    schema_migrate_new,
    schema_names_like,
    schema_rename,
)

logger = logging.getLogger(__name__)

# Slugs can't start with an underscore, so these names never collide with a marketplace.
SPARE_PREFIX = "_spare_"
TEMPLATE_PREFIX = "_template_"
# pg_try_advisory_lock key: one refill at a time per database (any process, any machine).
REFILL_LOCK_KEY = 0x7E4A_5001


def _new_name(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(8)}"


def spare_claim(*, schema_name: str) -> str | None:
    """Renames a current spare to `schema_name`, in the caller's transaction (a rollback
    gives it back). Returns its fingerprint, or None when the pool holds no current spare.
    Concurrent claims skip each other's locked rows, so each gets its own spare."""
    fingerprint = code_fingerprint()
    with transaction.atomic():
        spare = (
            SpareSchema.objects.select_for_update(skip_locked=True)
            .filter(kind=SpareSchema.Kind.SPARE, fingerprint=fingerprint)
            .order_by("created")
            .first()
        )
        if spare is None or not schema_exists(spare.name):
            return None  # an orphan row is cleaned up by the next refill
        schema_rename(old=spare.name, new=schema_name)
        spare.delete()
    _refill_soon()
    return fingerprint


def template_clone(*, schema_name: str) -> str | None:
    """Clones the current template into `schema_name`, in the caller's transaction. Returns
    its fingerprint, or None when there is no current template (or cloning failed, in which
    case nothing of the attempt is left)."""
    fingerprint = code_fingerprint()
    template = SpareSchema.objects.filter(
        kind=SpareSchema.Kind.TEMPLATE, fingerprint=fingerprint
    ).first()
    if template is None:
        return None
    try:
        with transaction.atomic():
            schema_clone(source=template.name, target=schema_name)
    except (DatabaseError, CloneError):
        logger.exception("cloning the template into %s failed; replaying migrations", schema_name)
        return None
    return fingerprint


def _refill_soon() -> None:
    """Asks for a refill once the claim commits (through the outbox: a broker outage
    neither fails the provisioning nor loses the refill)."""
    from shared_apps.tenants.tasks import refill_schema_pool

    publish_after_commit(refill_schema_pool)


@dataclass
class RefillReport:
    busy: bool = False  # another refill held the lock: nothing was done
    dropped: list[str] = field(default_factory=list)
    template_built: bool = False
    spares_made: int = 0
    spares: int = 0


@contextlib.contextmanager
def _refill_lock() -> Iterator[bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REFILL_LOCK_KEY])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [REFILL_LOCK_KEY])


def pool_refill(*, size: int | None = None) -> RefillReport:
    """Brings the pool to `size` spares (settings.SCHEMA_POOL_SIZE) at the code's migration
    state: drops stale spares and templates (and leftovers of an interrupted refill), builds
    the template if needed (replaying migrations once; also with `size` 0, so provisioning
    can clone it), then clones spares from it, each in its own transaction. One refill runs
    at a time; a second one returns at once."""
    size = settings.SCHEMA_POOL_SIZE if size is None else size
    report = RefillReport()
    with _refill_lock() as acquired:
        if not acquired:
            report.busy = True
            return report
        connection.set_schema_to_public()
        fingerprint = code_fingerprint()
        report.dropped = _discard_stale(fingerprint)
        spares = SpareSchema.objects.filter(kind=SpareSchema.Kind.SPARE, fingerprint=fingerprint)
        for extra in spares.order_by("-created")[: max(0, spares.count() - size)]:
            if _discard(extra.name):
                report.dropped.append(extra.name)
        template, report.template_built = _template_ensure(fingerprint)
        if size > 0:
            while spares.count() < size:
                _spare_make(template=template, fingerprint=fingerprint)
                report.spares_made += 1
        report.spares = spares.count()
    if report.dropped or report.spares_made:
        logger.info(
            "schema pool refilled: %s made, %s dropped, %s ready",
            report.spares_made,
            len(report.dropped),
            report.spares,
        )
    return report


def pool_drain() -> list[str]:
    """Drops every spare and template (e.g. before dropping the database's last tenant, or
    to shrink the database); the next refill builds them again."""
    with _refill_lock() as acquired:
        if not acquired:
            raise RuntimeError("A pool refill is running; try again when it is done.")
        return [row.name for row in SpareSchema.objects.all() if _discard(row.name)]


def pool_status() -> dict[str, int | bool]:
    fingerprint = code_fingerprint()
    rows = SpareSchema.objects.filter(fingerprint=fingerprint)
    return {
        "spares": rows.filter(kind=SpareSchema.Kind.SPARE).count(),
        "template": rows.filter(kind=SpareSchema.Kind.TEMPLATE).exists(),
        "stale": SpareSchema.objects.exclude(fingerprint=fingerprint).count(),
    }


def _discard(name: str) -> bool:
    """Drops a spare or template and its row; not one a provisioning is claiming right now
    (its row is locked): that one is the claimant's. Returns whether it was dropped."""
    with transaction.atomic():
        row = SpareSchema.objects.select_for_update(skip_locked=True).filter(name=name).first()
        if row is None and SpareSchema.objects.filter(name=name).exists():
            return False
        schema_drop(schema_name=name)
        SpareSchema.objects.filter(name=name).delete()
    return True


def _discard_stale(fingerprint: str) -> list[str]:
    """Spares and templates at another migration state, rows whose schema is gone, and
    schemas of ours without a row (a refill killed between its steps)."""
    dropped = []
    for row in SpareSchema.objects.exclude(fingerprint=fingerprint):
        if _discard(row.name):
            dropped.append(row.name)
    known = set(SpareSchema.objects.values_list("name", flat=True))
    for name in schema_names_like(SPARE_PREFIX) + schema_names_like(TEMPLATE_PREFIX):
        if name not in known:
            _discard(name)
            dropped.append(name)
    for row in SpareSchema.objects.all():
        if not schema_exists(row.name):
            row.delete()
    return dropped


def _template_ensure(fingerprint: str) -> tuple[SpareSchema, bool]:
    template = SpareSchema.objects.filter(
        kind=SpareSchema.Kind.TEMPLATE, fingerprint=fingerprint
    ).first()
    if template is not None:
        return template, False
    name = _new_name(TEMPLATE_PREFIX)
    with transaction.atomic():
        applied = schema_migrate_new(schema_name=name)
        template = SpareSchema.objects.create(
            name=name, kind=SpareSchema.Kind.TEMPLATE, fingerprint=applied
        )
    if applied != fingerprint:
        raise RuntimeError(f"The template {name} did not reach the code's migration state.")
    return template, True


def _spare_make(*, template: SpareSchema, fingerprint: str) -> None:
    name = _new_name(SPARE_PREFIX)
    with transaction.atomic():
        schema_clone(source=template.name, target=name)
        if applied_fingerprint(name) != fingerprint:
            raise RuntimeError(f"The spare {name} is not at the template's migration state.")
        SpareSchema.objects.create(name=name, kind=SpareSchema.Kind.SPARE, fingerprint=fingerprint)
