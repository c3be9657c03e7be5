"""One marketplace in one archive, and back.

An archive is a gzipped tar holding
  manifest.json  format, slug, when, the applied migrations, which columns of the schema
                 point at users, and a SHA-256 of every other member;
  public.json    the marketplace's rows in the public schema: the tenant, its domains, its
                 memberships, and the users those (and the schema's rows) refer to;
  schema.dump    pg_dump of the marketplace's schema (custom format: `pg_restore -l` reads it);
  media/…        the marketplace's uploaded files (everything under its media prefix, photos
                 and their renditions), each checksummed in the manifest.

Restoring creates a new marketplace (its own slug, or `slug` given) and never changes an
existing one: users already on the platform (same id, or same email) are reused as they are,
custom domains that serve another marketplace are left out (reported), and the schema is
loaded under the new name (shared_apps.tenants.dumps). The files are written under the new
slug's media prefix and the stored paths pointed at them. An archive made by older code is
migrated forward; one made by newer code is refused."""

from __future__ import annotations

import hashlib
import io
import json
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
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_exists

from shared_apps.accounts.models import Membership, User
from shared_apps.core.errors import ApplicationError, ConflictError
from shared_apps.core.queues import broadcast_queue_sync
from shared_apps.tenants import dumps, validators
from shared_apps.tenants.fingerprints import (
    applied_fingerprint,
    code_fingerprint,
    code_migrations,
    fingerprint,
)
from shared_apps.tenants.media import media_delete, media_files, media_prefix, safe_relative_name
from shared_apps.tenants.models import Domain, Tenant
from shared_apps.tenants.pg_schemas import quick_migration_table_check, quoted

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST, PUBLIC, SCHEMA = "manifest.json", "public.json", "schema.dump"
MEDIA = "media/"  # + the file's name under the marketplace's media prefix
# Platform privileges never travel with a marketplace: restored users are never staff.
USER_FIELDS = (
    "id", "email", "password", "first_name", "last_name", "phone", "avatar_url",
    "is_active", "date_joined", "last_login",
)  # fmt: skip


class ArchiveError(ApplicationError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="bad_archive")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    slug: str
    bytes: int
    users: int
    media_files: int = 0


@dataclass
class RestoreResult:
    tenant: Tenant
    users_created: int = 0
    users_reused: int = 0
    domains_skipped: list[str] = field(default_factory=list)
    migrated_forward: bool = False
    media_files: int = 0


def archive_path_for(slug: str) -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.TENANT_ARCHIVE_DIR) / f"{slug}-{stamp}.tar.gz"


# --- Backup -------------------------------------------------------------------------------


def _row(instance: models.Model, names: tuple[str, ...] | None = None) -> dict[str, Any]:
    fields = instance._meta.concrete_fields
    return {
        f.attname: f.value_from_object(instance)
        for f in fields
        if names is None or f.attname in names
    }


def _user_columns(schema: str) -> list[tuple[str, str]]:
    """The schema's columns holding a user id (foreign keys into accounts_user)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT rel.relname, att.attname
               FROM pg_constraint con
               JOIN pg_class rel ON rel.oid = con.conrelid
               JOIN pg_namespace n ON n.oid = rel.relnamespace
               JOIN pg_attribute att ON att.attrelid = con.conrelid
                    AND att.attnum = con.conkey[1]
               WHERE con.contype = 'f' AND n.nspname = %s
                 AND con.confrelid = %s::regclass
               ORDER BY 1, 2""",
            [schema, f"public.{User._meta.db_table}"],
        )
        return [tuple(row) for row in cursor.fetchall()]


def _referenced_users(schema: str, columns: list[tuple[str, str]]) -> set[uuid.UUID]:
    ids: set[uuid.UUID] = set()
    with connection.cursor() as cursor:
        for table, column in columns:
            cursor.execute(
                f"SELECT DISTINCT {quoted(column)} FROM {quoted(schema)}.{quoted(table)} "  # noqa: S608
                f"WHERE {quoted(column)} IS NOT NULL"
            )
            ids.update(row[0] for row in cursor.fetchall())
    return ids


def _applied(schema: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {quoted(schema)}.django_migrations ORDER BY 1, 2")  # noqa: S608
        return [list(row) for row in cursor.fetchall()]


def tenant_backup(*, tenant: Tenant, path: Path) -> BackupResult:
    """Writes the marketplace's archive to `path`. Outside a transaction the schema dump
    and the public rows are read from one snapshot; inside one (deletion), the caller holds
    the schema's write locks, so nothing changes while pg_dump reads."""
    if tenant.schema_name == get_public_schema_name() or not schema_exists(tenant.schema_name):
        raise ApplicationError(
            f"{tenant.schema_name!r} has no schema to back up.", code="no_schema"
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = tenant.schema_name
    with tempfile.TemporaryDirectory(prefix="tenant-backup-") as scratch:
        dump_path = Path(scratch) / SCHEMA
        if connection.in_atomic_block:
            dumps.dump_schema_archive(schema, dump_path)
            public, columns, applied = _public_rows(tenant)
        else:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    cursor.execute("SELECT pg_export_snapshot()")
                    snapshot = cursor.fetchone()[0]
                dumps.dump_schema_archive(schema, dump_path, snapshot=snapshot)
                public, columns, applied = _public_rows(tenant)
        public_bytes = json.dumps(public, cls=DjangoJSONEncoder, indent=1).encode()
        dump_bytes = dump_path.read_bytes()
        manifest = {
            "format": FORMAT,
            "slug": schema,
            "created_at": timezone.now().isoformat(),
            "fingerprint": fingerprint({tuple(m) for m in applied} & code_migrations()),
            "migrations": applied,
            "user_columns": [list(c) for c in columns],
            "sha256": {
                PUBLIC: hashlib.sha256(public_bytes).hexdigest(),
                SCHEMA: hashlib.sha256(dump_bytes).hexdigest(),
            },
            "media_prefix": media_prefix(schema),
            "media": {},  # file name -> SHA-256, filled as the files are added
        }
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add(archive, PUBLIC, public_bytes)
            _add(archive, SCHEMA, dump_bytes)
            manifest["media"] = _add_media(archive, schema)
            # Last, once every file's checksum is known (readers look members up by name).
            _add(archive, MANIFEST, json.dumps(manifest, indent=1).encode())
        partial.replace(path)  # a reader never sees a half-written archive
    logger.info("backed up marketplace %s to %s", schema, path)
    return BackupResult(
        path=path,
        slug=schema,
        bytes=path.stat().st_size,
        users=len(public["users"]),
        media_files=len(manifest["media"]),
    )


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _add_media(archive: tarfile.TarFile, schema: str) -> dict[str, str]:
    """Adds every file under the marketplace's media prefix; returns their checksums. Files
    are read after the rows: one deleted meanwhile is left out (its row went with it or goes
    soon), one added meanwhile is carried without a row (harmless)."""
    prefix = media_prefix(schema)
    checksums: dict[str, str] = {}
    for name in media_files(schema):
        try:
            with default_storage.open(prefix + name, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            logger.info("media file %s%s went while backing up; left out", prefix, name)
            continue
        _add(archive, MEDIA + name, data)
        checksums[name] = hashlib.sha256(data).hexdigest()
    return checksums


def _public_rows(tenant: Tenant) -> tuple[dict, list[tuple[str, str]], list[list[str]]]:
    schema = tenant.schema_name
    columns = _user_columns(schema)
    memberships = list(Membership.objects.filter(tenant=tenant))
    user_ids = {m.user_id for m in memberships} | _referenced_users(schema, columns)
    users = User.objects.filter(id__in=user_ids).order_by("email")
    public = {
        "tenant": _row(Tenant.objects.get(pk=tenant.pk)),
        "domains": [_row(d) for d in Domain.objects.filter(tenant=tenant)],
        "memberships": [_row(m) for m in memberships],
        "users": [_row(u, USER_FIELDS) for u in users],
    }
    return public, columns, _applied(schema)


# --- Reading an archive -------------------------------------------------------------------


@dataclass
class Archive:
    manifest: dict[str, Any]
    public: dict[str, Any]
    dump: bytes
    path: Path | None = None

    @property
    def media(self) -> dict[str, str]:
        """The media files it carries: name under the media prefix -> SHA-256. (Archives
        written before backups carried media have none.)"""
        return self.manifest.get("media", {})


def archive_read(path: Path) -> Archive:
    """The archive's parts, checked: every member present, intact (SHA-256), of a format
    we know. Anything else is an ArchiveError saying what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"No archive at {path}.")
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = {}
            for name in (MANIFEST, PUBLIC, SCHEMA):
                try:
                    handle = archive.extractfile(name)
                except KeyError:
                    handle = None
                if handle is None:
                    raise ArchiveError(f"{path} is not a marketplace archive: {name} is missing.")
                members[name] = handle.read()
            manifest = _manifest(path, members)
            _check_media(path, archive, manifest.get("media", {}))
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise ArchiveError(f"{path} is not a readable archive ({exc}).") from exc
    try:
        for name in (PUBLIC, SCHEMA):
            if hashlib.sha256(members[name]).hexdigest() != manifest["sha256"][name]:
                raise ArchiveError(f"{path} is corrupt: {name} does not match its checksum.")
        public = json.loads(members[PUBLIC])
        for key in ("tenant", "domains", "memberships", "users"):
            public[key]  # noqa: B018  (a KeyError is a malformed archive)
        for key in ("slug", "migrations", "user_columns"):
            manifest[key]  # noqa: B018
    except (ValueError, KeyError, TypeError) as exc:
        raise ArchiveError(f"{path} is not a marketplace archive (bad {exc}).") from exc
    return Archive(manifest=manifest, public=public, dump=members[SCHEMA], path=path)


def _manifest(path: Path, members: dict[str, bytes]) -> dict[str, Any]:
    try:
        manifest = json.loads(members[MANIFEST])
        if manifest.get("format") != FORMAT:
            raise ArchiveError(
                f"{path} has archive format {manifest.get('format')!r}; this code reads {FORMAT}."
            )
        if not isinstance(manifest.get("media", {}), dict):
            raise TypeError("media")
    except (ValueError, TypeError, AttributeError) as exc:
        raise ArchiveError(f"{path} is not a marketplace archive (bad {exc}).") from exc
    return manifest


def _check_media(path: Path, archive: tarfile.TarFile, media: dict[str, str]) -> None:
    """Every media file the manifest names is there, stays under the prefix, and matches
    its checksum (read in chunks: photos can be large)."""
    for name, expected in media.items():
        if not isinstance(name, str) or not safe_relative_name(name):
            raise ArchiveError(f"{path} names a media file outside its folder: {name!r}.")
        try:
            handle = archive.extractfile(MEDIA + name)
        except KeyError:
            handle = None
        if handle is None:
            raise ArchiveError(f"{path} is not a marketplace archive: {MEDIA}{name} is missing.")
        digest = hashlib.sha256()
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
        if digest.hexdigest() != expected:
            raise ArchiveError(f"{path} is corrupt: {MEDIA}{name} does not match its checksum.")


# --- Restore ------------------------------------------------------------------------------


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
