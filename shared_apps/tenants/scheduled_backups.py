"""Scheduled backups: every active marketplace, on BACKUP_SCHEDULE, into a storage backend.

Beat sends `tenants.backup_marketplaces` (a platform task) on the schedule; it sends one
`tenants.backup_marketplace` per active marketplace, so the backups spread over the
workers and one failure never stops the others. Each run writes the marketplace's archive
with `tenant_backup` (shared_apps.tenants.backups), checks it with `archive_read` (every
member against its SHA-256), stores it under `<slug>/` in the BACKUP_STORAGE backend
(a local folder by default, S3-compatible with django-storages' S3Storage), reads the stored
copy back and checks it again, then deletes that marketplace's archives beyond the newest
BACKUP_RETENTION. Outcomes go to the fleet metrics (`rental_backups_total`,
`rental_backup_marketplaces_failing`, `rental_backup_oldest_success_age_seconds`) and the
alert rules in deploy/monitoring/."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.utils.module_loading import import_string

from shared_apps.core.errors import ApplicationError
from shared_apps.core.metrics import fleet
from shared_apps.core.tasks import platform_task
from shared_apps.tenants.backups import archive_path_for, archive_read, tenant_backup

logger = logging.getLogger(__name__)

ARCHIVE_SUFFIX = ".tar.gz"


class BackupVerificationError(ApplicationError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="backup_unverified")


def backup_storage() -> Storage:
    config = settings.BACKUP_STORAGE
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))


def _sha256(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredBackup:
    slug: str
    name: str  # the archive's name in the backup storage
    bytes: int
    sha256: str
    pruned: tuple[str, ...]


def stored_archives(storage: Storage, slug: str) -> list[str]:
    """The marketplace's archives in the storage, oldest first (names carry the time)."""
    try:
        _, files = storage.listdir(slug)
    except FileNotFoundError:
        return []
    return sorted(f"{slug}/{name}" for name in files if name.endswith(ARCHIVE_SUFFIX))


def _verify_stored(storage: Storage, name: str, sha256: str, scratch: Path) -> None:
    copy = scratch / "stored-copy.tar.gz"
    with storage.open(name, "rb") as stored, copy.open("wb") as out:
        for chunk in iter(lambda: stored.read(1 << 20), b""):
            out.write(chunk)
    with copy.open("rb") as handle:
        if _sha256(handle) != sha256:
            raise BackupVerificationError(f"The stored copy {name} differs from the archive.")
    archive_read(copy)  # every member against the manifest's checksums


def backup_to_storage(*, tenant, storage: Storage | None = None, keep: int | None = None):
    """One marketplace's verified archive in the backup storage, older ones pruned."""
    storage = storage or backup_storage()
    keep = settings.BACKUP_RETENTION if keep is None else keep
    slug = tenant.schema_name
    with tempfile.TemporaryDirectory(prefix="scheduled-backup-") as scratch:
        local = Path(scratch) / archive_path_for(slug).name
        tenant_backup(tenant=tenant, path=local)
        archive_read(local)
        with local.open("rb") as handle:
            sha256 = _sha256(handle)
        with local.open("rb") as handle:
            name = storage.save(f"{slug}/{local.name}", File(handle, name=local.name))
        _verify_stored(storage, name, sha256, Path(scratch))
        size = local.stat().st_size
    archives = stored_archives(storage, slug)
    pruned = tuple(archives[: max(0, len(archives) - keep)]) if keep > 0 else ()
    for old in pruned:
        storage.delete(old)
    logger.info(
        "scheduled backup of %s: %s (%d bytes, verified), %d older pruned",
        slug,
        name,
        size,
        len(pruned),
    )
    return StoredBackup(slug=slug, name=name, bytes=size, sha256=sha256, pruned=pruned)


@platform_task(name="tenants.backup_marketplace")
def backup_marketplace(slug: str) -> dict:
    from shared_apps.tenants.models import Tenant
    from shared_apps.tenants.selectors import marketplace_tenants

    tenant = marketplace_tenants().filter(schema_name=slug).first()
    if tenant is None or tenant.status != Tenant.Status.ACTIVE:
        fleet.forget_backups([slug])
        logger.info("skipping the scheduled backup of %s: no longer an active marketplace", slug)
        return {"slug": slug, "skipped": True}
    try:
        stored = backup_to_storage(tenant=tenant)
    except Exception:
        logger.exception("scheduled backup of %s failed", slug)
        fleet.record_backup(slug=slug, ok=False)
        raise
    fleet.record_backup(slug=slug, ok=True)
    return asdict(stored)


@platform_task(name="tenants.backup_marketplaces")
def backup_marketplaces() -> int:
    """Beat's entry: one backup task per active marketplace. Returns how many were sent."""
    from shared_apps.tenants.models import Tenant
    from shared_apps.tenants.selectors import marketplace_tenants

    slugs = list(
        marketplace_tenants()
        .filter(status=Tenant.Status.ACTIVE)
        .values_list("schema_name", flat=True)
    )
    for slug in slugs:
        backup_marketplace.delay(slug)
    return len(slugs)
