"""One marketplace in one archive, and back.

An archive is a gzipped tar holding
  manifest.json  format, slug, when, the applied migrations, which columns of the schema
                 point at users, and a SHA-256 of every other member;
  public.json    the marketplace's rows in the public schema: the tenant, its domains, its
                 memberships, and the users those (and the schema's rows) refer to;
  schema.dump    pg_dump of the marketplace's schema (custom format: `pg_restore -l` reads it);
  media/…        the marketplace's uploaded files (everything under its media prefix, photos
                 and their renditions), each checksummed in the manifest.

This module writes archives (`tenant_backup`) and reads them back, checked
(`archive_read`); restoring one is shared_apps.tenants.restores."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_exists

from shared_apps.accounts.models import Membership, User
from shared_apps.core.errors import ApplicationError
from shared_apps.tenants import dumps
from shared_apps.tenants.fingerprints import (
    code_migrations,
    fingerprint,
)
from shared_apps.tenants.media import media_files, media_prefix, safe_relative_name
from shared_apps.tenants.models import Domain, Tenant
from shared_apps.tenants.pg_schemas import quoted

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
