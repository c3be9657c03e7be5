"""Every write to marketplaces: provisioning, branding, domains, suspension, deletion."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_exists

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.selectors import user_by_email
from shared_apps.accounts.services import membership_grant, queue_password_email, user_create
from shared_apps.core.errors import ApplicationError, ConflictError
from shared_apps.core.images import clean_image
from shared_apps.core.metrics import provisioning_metrics
from shared_apps.queues.services import broadcast_queue_sync, purge_tenant_queue
from shared_apps.tenants import validators
from shared_apps.tenants.constants import BRANDING_FIELDS
from shared_apps.tenants.errors import TenantsErrorCode
from shared_apps.tenants.media import media_delete
from shared_apps.tenants.models import Domain, Tenant
from shared_apps.tenants.pg_schemas import schema_create, schema_drop, schema_lock_writes
from shared_apps.tenants.selectors import domain_taken

logger = logging.getLogger(__name__)

SETTINGS_FIELDS = ("name", "currency", "timezone")


def _clean_settings(data: dict[str, Any]) -> dict[str, Any]:
    """Validates the branding and settings fields present in `data`."""
    cleaned: dict[str, Any] = {}
    for field in (*BRANDING_FIELDS, *SETTINGS_FIELDS):
        if field not in data:
            continue
        value = data[field]
        if field in ("primary_color", "accent_color"):
            value = validators.validate_color(field, value)
        elif field == "currency":
            value = validators.validate_currency(value)
        elif field == "timezone":
            value = validators.validate_timezone(value)
        cleaned[field] = value
    return cleaned


def _domain_conflict(domain: str) -> ConflictError:
    return ConflictError(
        f"The domain {domain!r} already serves a marketplace.",
        code="domain_taken",
        fields={"domains": [f"{domain!r} is already in use."]},
    )


def _normalized_domains(domains: list[str]) -> list[str]:
    cleaned = []
    for raw in domains:
        domain = validators.normalize_domain(raw)
        if domain in cleaned:
            continue
        if domain_taken(domain=domain):
            raise _domain_conflict(domain)
        cleaned.append(domain)
    return cleaned


@dataclass(frozen=True)
class ProvisionResult:
    tenant: Tenant
    admin: User
    admin_invited: bool  # a new identity, emailed a link to set its password
    schema_source: str = ""  # "pool", "template" or "replay" (shared_apps.tenants.pg_schemas)


@provisioning_metrics
def tenant_provision(
    *,
    name: str,
    slug: str,
    admin_email: str,
    domains: list[str] | None = None,
    **settings_and_branding: Any,
) -> ProvisionResult:
    """Creates a marketplace: its row, schema, subdomain, custom domains and first admin,
    all in one transaction. The admin is an existing identity, or a new one emailed a link
    to set its password once the transaction commits. Any failure leaves nothing behind."""
    validators.validate_slug(slug)
    if Tenant.objects.filter(schema_name__iexact=slug).exists():
        raise ConflictError(
            f"A marketplace with the slug {slug!r} already exists.",
            code="slug_taken",
            fields={"slug": ["This slug is taken."]},
        )
    subdomain = f"{slug}.{settings.PLATFORM_DOMAIN}"
    if domain_taken(domain=subdomain):
        raise _domain_conflict(subdomain)
    custom_domains = _normalized_domains(domains or [])
    fields = _clean_settings({"name": name, **settings_and_branding})

    try:
        with transaction.atomic():
            tenant = Tenant(schema_name=slug, **fields)
            tenant.save()
            Domain.objects.create(
                tenant=tenant, domain=subdomain, is_primary=True, kind=Domain.Kind.SUBDOMAIN
            )
            for domain in custom_domains:
                Domain.objects.create(
                    tenant=tenant, domain=domain, is_primary=False, kind=Domain.Kind.CUSTOM
                )
            schema_source = schema_create(tenant=tenant)
            admin = user_by_email(email=admin_email)
            invited = admin is None
            if admin is None:
                admin = user_create(email=admin_email, password=None)
            membership_grant(user=admin, tenant=tenant, role=Role.ADMIN)
            if invited:
                queue_password_email(user=admin, tenant=tenant, reset=False)
            transaction.on_commit(broadcast_queue_sync)  # workers start serving it now
    except IntegrityError as exc:
        # Another request took the slug or a domain between our checks and the insert.
        raise ConflictError(
            "The slug or one of the domains was taken meanwhile; try another.",
            code="conflict",
        ) from exc
    logger.info("provisioned marketplace %s (schema from %s)", slug, schema_source)
    return ProvisionResult(
        tenant=tenant, admin=admin, admin_invited=invited, schema_source=schema_source
    )


@transaction.atomic
def tenant_update(*, tenant: Tenant, data: dict[str, Any]) -> Tenant:
    """Rebrands a marketplace, changes its settings or its domains (`add_domains`,
    `remove_domains`, `primary_domain`); only the fields given change, all or nothing."""
    changes = dict(data)
    tenant_add_domains(tenant=tenant, domains=changes.pop("add_domains", None) or [])
    for domain in changes.pop("remove_domains", None) or []:
        tenant_remove_domain(tenant=tenant, domain=domain)
    if "primary_domain" in changes:
        tenant_set_primary_domain(tenant=tenant, domain=changes.pop("primary_domain"))
    cleaned = _clean_settings(changes)
    for field, value in cleaned.items():
        setattr(tenant, field, value)
    if cleaned:
        tenant.save(update_fields=[*cleaned, "updated"])
    return tenant


MAX_BRANDING_IMAGE_BYTES = 5 * 1024 * 1024
MAX_BRANDING_IMAGE_PIXELS = 40_000_000
BRANDING_IMAGES = {"logo": "logo_url", "hero": "hero_url"}


def tenant_rebrand(*, tenant: Tenant, data: dict[str, Any], images: dict[str, Any]) -> Tenant:
    """The branding page's save: text and colours (as `tenant_update`) and new pictures
    (`images`: "logo"/"hero" -> an upload), all or nothing. Pictures are checked by content,
    re-encoded without metadata (clean_image) and stored under the marketplace's own media
    prefix; a failed save leaves no file."""
    stored: list[str] = []
    changes = dict(data)
    try:
        for kind, upload in images.items():
            clean = clean_image(
                upload, max_bytes=MAX_BRANDING_IMAGE_BYTES,
                max_pixels=MAX_BRANDING_IMAGE_PIXELS, field=BRANDING_IMAGES[kind],
                noun="picture",
            )  # fmt: skip
            name = default_storage.save(
                f"tenants/{tenant.schema_name}/branding/{kind}-{uuid.uuid4().hex}"
                f".{clean.extension}",
                ContentFile(clean.content),
            )
            stored.append(name)
            changes[BRANDING_IMAGES[kind]] = default_storage.url(name)
        return tenant_update(tenant=tenant, data=changes)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


@transaction.atomic
def tenant_add_domains(*, tenant: Tenant, domains: list[str]) -> list[Domain]:
    try:
        with transaction.atomic():
            return [
                Domain.objects.create(
                    tenant=tenant, domain=domain, is_primary=False, kind=Domain.Kind.CUSTOM
                )
                for domain in _normalized_domains(domains)
            ]
    except IntegrityError as exc:
        raise ConflictError("One of the domains was taken meanwhile.", code="domain_taken") from exc


def _tenant_domain(*, tenant: Tenant, domain: str) -> Domain:
    found = tenant.domains.filter(domain=(domain or "").strip().lower()).first()
    if found is None:
        raise ApplicationError(
            f"{domain!r} is not a domain of this marketplace.",
            code="unknown_domain",
            fields={"domain": ["Not a domain of this marketplace."]},
        )
    return found


@transaction.atomic
def tenant_remove_domain(*, tenant: Tenant, domain: str) -> None:
    found = _tenant_domain(tenant=tenant, domain=domain)
    if found.kind == Domain.Kind.SUBDOMAIN:
        raise ConflictError(
            "The platform subdomain can't be removed; it always serves the marketplace.",
            code="subdomain_required",
        )
    was_primary = found.is_primary
    found.delete()
    if was_primary:
        tenant.domains.filter(kind=Domain.Kind.SUBDOMAIN).update(is_primary=True)


@transaction.atomic
def tenant_set_primary_domain(*, tenant: Tenant, domain: str) -> Domain:
    found = _tenant_domain(tenant=tenant, domain=domain)
    found.is_primary = True
    found.save()  # DomainMixin.save demotes the previous primary
    return found


# One listed code per state (not one built from the status string).
ALREADY = {
    Tenant.Status.ACTIVE: TenantsErrorCode.ALREADY_ACTIVE,
    Tenant.Status.SUSPENDED: TenantsErrorCode.ALREADY_SUSPENDED,
}


def _set_status(*, tenant: Tenant, status: str, reason: str = "") -> Tenant:
    locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if locked.status == status:
        raise ConflictError(f"The marketplace is already {status}.", code=ALREADY[status])
    locked.status = status
    locked.suspended_reason = reason
    locked.suspended_at = timezone.now() if status == Tenant.Status.SUSPENDED else None
    locked.save(update_fields=["status", "suspended_reason", "suspended_at", "updated"])
    # Workers stop consuming a suspended marketplace's queue (its tasks wait) and resume later.
    transaction.on_commit(broadcast_queue_sync)
    return locked


@transaction.atomic
def tenant_suspend(*, tenant: Tenant, reason: str = "") -> Tenant:
    return _set_status(tenant=tenant, status=Tenant.Status.SUSPENDED, reason=reason)


@transaction.atomic
def tenant_resume(*, tenant: Tenant) -> Tenant:
    return _set_status(tenant=tenant, status=Tenant.Status.ACTIVE)


def tenant_delete(*, tenant: Tenant, confirm_slug: str, archive: bool = True) -> Path | None:
    """Removes a marketplace for good: its schema, domains and memberships, after writing
    its archive (`tenant_backup`, to TENANT_ARCHIVE_DIR) unless `archive` is False. The
    caller repeats the slug, so a wrong URL can't delete the wrong marketplace. Returns the
    archive's path. If the archive can't be written, nothing is deleted."""
    if tenant.schema_name == get_public_schema_name():
        raise ApplicationError("The platform itself can't be deleted.", code="protected")
    if confirm_slug != tenant.schema_name:
        raise ApplicationError(
            "To delete this marketplace, repeat its slug in the field confirm_slug.",
            code="confirmation_mismatch",
            fields={"confirm_slug": [f"Type {tenant.schema_name!r} to confirm."]},
        )
    from shared_apps.tenants.backups import archive_path_for, tenant_backup
    from shared_apps.tenants.dumps import DumpError

    slug = tenant.schema_name
    path = None
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if archive and schema_exists(slug):
            # Writes wait until the schema is gone, so the archive holds the last of them.
            schema_lock_writes(schema_name=slug)
            try:
                path = tenant_backup(tenant=locked, path=archive_path_for(slug)).path
            except (DumpError, OSError) as exc:
                raise ApplicationError(
                    f"The marketplace's archive could not be written, so nothing was "
                    f"deleted ({exc}). Fix the cause, or delete without an archive.",
                    code="archive_failed",
                    status=503,
                ) from exc
        schema_drop(tenant=locked)
        locked.delete()
        transaction.on_commit(broadcast_queue_sync)
        transaction.on_commit(lambda: purge_tenant_queue(slug))
        # Its files go once the rows are gone for good (and the archive, if any, has them).
        transaction.on_commit(lambda: _remove_media(slug))
    logger.warning("deleted marketplace %s%s", slug, f" (archived to {path})" if path else "")
    return path


def _remove_media(slug: str) -> None:
    try:
        removed = media_delete(slug)
    except OSError:  # the marketplace is gone either way; say what is left behind
        logger.exception("could not remove the media files of deleted marketplace %s", slug)
        return
    logger.info("removed %d media files of deleted marketplace %s", removed, slug)


@transaction.atomic
def platform_ensure_public_tenant() -> Tenant:
    """The public tenant and the platform host's domain, which django-tenants needs to route
    the operator's requests. Idempotent; follows PLATFORM_DOMAIN when it changes."""
    public, _ = Tenant.objects.get_or_create(
        schema_name=get_public_schema_name(), defaults={"name": settings.PLATFORM_NAME}
    )
    Domain.objects.filter(tenant=public, kind=Domain.Kind.PLATFORM).exclude(
        domain=settings.PLATFORM_DOMAIN
    ).delete()
    Domain.objects.get_or_create(
        domain=settings.PLATFORM_DOMAIN,
        defaults={"tenant": public, "is_primary": True, "kind": Domain.Kind.PLATFORM},
    )
    return public
