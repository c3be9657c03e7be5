"""Restoring a marketplace from its archive (shared_apps.tenants.backups writes and reads
archives). Restoring creates a new marketplace (its own slug, or `slug` given) and never
changes an existing one: users already on the platform (same id, or same email) are reused as
they are, custom domains that serve another marketplace are left out (reported), and the
schema is loaded under the new name (shared_apps.tenants.dumps). The files are written under
the new slug's media prefix and the stored paths pointed at them. An archive made by older
code is migrated forward; one made by newer code is refused."""

from __future__ import annotations

import logging
import tarfile
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django_tenants.utils import schema_exists

from shared_apps.accounts.models import Membership, User
from shared_apps.core.errors import ConflictError
from shared_apps.queues.services import broadcast_queue_sync
from shared_apps.tenants import dumps, validators
from shared_apps.tenants.backups import (
    MEDIA,
    SCHEMA,
    Archive,
    ArchiveError,
    archive_read,
)
from shared_apps.tenants.fingerprints import (
    applied_fingerprint,
    code_fingerprint,
    code_migrations,
)
from shared_apps.tenants.media import media_delete, media_prefix
from shared_apps.tenants.models import Domain, Tenant
from shared_apps.tenants.pg_schemas import quick_migration_table_check, quoted

logger = logging.getLogger(__name__)


@dataclass
class RestoreResult:
    tenant: Tenant
    users_created: int = 0
    users_reused: int = 0
    domains_skipped: list[str] = field(default_factory=list)
    migrated_forward: bool = False
    media_files: int = 0


def _python(model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return {
        name: by_attname[name].to_python(value) for name, value in row.items() if name in by_attname
    }


def tenant_restore(*, path: Path, slug: str | None = None) -> RestoreResult:
    """Brings an archived marketplace back as a new marketplace, as `slug` (default: its
    own). All or nothing, in one transaction; no other marketplace is changed."""
    archive = archive_read(path)
    target = slug or archive.manifest["slug"]
    validators.validate_slug(target)
    if Tenant.objects.filter(schema_name__iexact=target).exists() or schema_exists(target):
        raise ConflictError(
            f"A marketplace with the slug {target!r} already exists; restore under another "
            "slug (--as NEW_SLUG).",
            code="slug_taken",
        )
    archived = {tuple(m) for m in archive.manifest["migrations"]}
    unknown = sorted(
        f"{a}.{n}" for a, n in (archived - code_migrations()) if a in _project_app_labels()
    )
    if unknown:
        raise ArchiveError(
            "The archive was made by newer code: this code lacks the migrations "
            + ", ".join(unknown[:5])
        )
    with tempfile.TemporaryDirectory(prefix="tenant-restore-") as scratch:
        dump_path = Path(scratch) / SCHEMA
        dump_path.write_bytes(archive.dump)
        try:
            dumps.archive_check(dump_path)
            structure_and_rows = dumps.archive_sql(dump_path, "pre-data", "data")
            constraints = dumps.archive_sql(dump_path, "post-data")
            source = dumps.dumped_schema(structure_and_rows)
        except dumps.DumpError as exc:
            raise ArchiveError(f"{path}: the schema dump can't be read ({exc}).") from exc
    written: list[str] = []  # media files put in place, removed again if anything fails
    try:
        with transaction.atomic():
            result = RestoreResult(tenant=Tenant(schema_name=target))
            user_map = _restore_users(archive.public["users"], result)
            tenant = _restore_tenant(archive.public, target, user_map, result)
            result.tenant = tenant
            # The new tenant row holds the slug (a concurrent restore to it waits on the row),
            # so the files can go in place now.
            result.media_files = _restore_media(archive, target, written)
            dumps.run_sql(structure_and_rows, source_ident=source, target=target)
            _remap_users(target, archive.manifest["user_columns"], user_map)
            dumps.run_sql(constraints, source_ident=source, target=target)
            state = applied_fingerprint(target)
            if state != code_fingerprint():  # an archive of older code: bring it up to date
                from django.core.management import call_command

                with quick_migration_table_check():
                    call_command(
                        "migrate_schemas",
                        tenant=True,
                        schema_name=target,
                        interactive=False,
                        verbosity=0,
                    )
                connection.set_schema_to_public()
                state = applied_fingerprint(target)
                result.migrated_forward = True
            if "media" in archive.manifest:  # older archives carry no files to point at
                _repoint_media(
                    target,
                    archive.manifest.get("media_prefix") or "",
                    target_prefix=media_prefix(target),
                )
            tenant.schema_fingerprint = state
            tenant.save(update_fields=["schema_fingerprint"])
            transaction.on_commit(broadcast_queue_sync)  # workers start serving it
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    logger.info("restored marketplace %s from %s", target, path)
    return result


def _project_app_labels() -> set[str]:
    return {config.label for config in apps.get_app_configs()}


def _restore_users(rows: list[dict], result: RestoreResult) -> dict[str, str]:
    """Archived user id -> the id on this platform. Existing users are reused untouched."""
    mapping: dict[str, str] = {}
    for row in rows:
        values = _python(User, row)
        existing = (
            User.objects.filter(pk=values["id"]).first()
            or User.objects.filter(email__iexact=values["email"]).first()
        )
        if existing is not None:
            result.users_reused += 1
            mapping[str(values["id"])] = str(existing.pk)
            continue
        User.objects.create(**values)
        result.users_created += 1
        mapping[str(values["id"])] = str(values["id"])
    return mapping


def _restore_tenant(public: dict, target: str, user_map: dict, result: RestoreResult) -> Tenant:
    values = _python(Tenant, public["tenant"])
    created = values.pop("created", None)
    for name in ("schema_name", "updated", "schema_fingerprint"):
        values.pop(name, None)
    if Tenant.objects.filter(pk=values["id"]).exists():
        values["id"] = uuid.uuid4()  # the original is still here: this is a copy
    tenant = Tenant(schema_name=target, **values)
    tenant.save()
    if created:
        Tenant.objects.filter(pk=tenant.pk).update(created=created)

    domains = [_python(Domain, row) for row in public["domains"]]
    subdomain = f"{target}.{settings.PLATFORM_DOMAIN}"
    primary_kept = False
    for row in domains:
        if row["kind"] == Domain.Kind.SUBDOMAIN:
            continue
        if Domain.objects.filter(domain=row["domain"]).exists():
            result.domains_skipped.append(row["domain"])
            continue
        Domain.objects.create(
            tenant=tenant, domain=row["domain"], kind=row["kind"], is_primary=row["is_primary"]
        )
        primary_kept = primary_kept or row["is_primary"]
    Domain.objects.create(
        tenant=tenant, domain=subdomain, kind=Domain.Kind.SUBDOMAIN, is_primary=not primary_kept
    )
    for row in public["memberships"]:
        values = _python(Membership, row)
        if Membership.objects.filter(pk=values["id"]).exists():
            values["id"] = uuid.uuid4()
        membership = Membership.objects.create(
            id=values["id"],
            user_id=user_map[str(values["user_id"])],
            tenant=tenant,
            role=values["role"],
        )
        Membership.objects.filter(pk=membership.pk).update(created=values["created"])
    return tenant


def _remap_users(schema: str, columns: list[list[str]], user_map: dict[str, str]) -> None:
    """Points the restored rows at the platform's own ids of users it already had under
    another id (same email)."""
    changed = [(old, new) for old, new in user_map.items() if old != new]
    if not changed:
        return
    with connection.cursor() as cursor:
        for table, column in columns:
            for old, new in changed:
                cursor.execute(
                    f"UPDATE {quoted(schema)}.{quoted(table)} SET {quoted(column)} = %s "  # noqa: S608
                    f"WHERE {quoted(column)} = %s",
                    [new, old],
                )


def _restore_media(archive: Archive, target: str, written: list[str]) -> int:
    """Writes the archive's media files under the target's prefix (names checked by
    archive_read). Whatever lies there already was left by an earlier marketplace of that
    slug, which no longer exists: it goes first, so every name is written as archived."""
    if not archive.media:
        return 0
    prefix = media_prefix(target)
    if leftovers := media_delete(target):
        logger.warning("removed %d files left under %s by a deleted marketplace", leftovers, prefix)
    with tarfile.open(archive.path, "r:gz") as tar:
        for name in archive.media:
            handle = tar.extractfile(MEDIA + name)
            saved = default_storage.save(prefix + name, ContentFile(handle.read()))
            written.append(saved)
            if saved != prefix + name:
                raise ArchiveError(f"The media file {prefix}{name} could not be written as such.")
    return len(archive.media)


def _file_columns() -> list[tuple[str, str]]:
    """(table, column) of every file field of the marketplace apps' models."""
    tenant_apps = set(settings.TENANT_APPS)
    return sorted(
        (model._meta.db_table, f.column)
        for model in apps.get_models()
        if model._meta.app_config.name in tenant_apps and not model._meta.proxy
        for f in model._meta.concrete_fields
        if isinstance(f, models.FileField)
    )


def _repoint_media(schema: str, source_prefix: str, *, target_prefix: str) -> None:
    """Stored file names under the archived marketplace's prefix now name the restored
    copies under the target's."""
    if not source_prefix or source_prefix == target_prefix:
        return
    with connection.cursor() as cursor:
        for table, column in _file_columns():
            name = quoted(column)
            cursor.execute(
                f"UPDATE {quoted(schema)}.{quoted(table)} "  # noqa: S608
                f"SET {name} = %s || substr({name}, %s) WHERE starts_with({name}, %s)",
                [target_prefix, len(source_prefix) + 1, source_prefix],
            )
