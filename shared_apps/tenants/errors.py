"""Error codes of marketplaces: provisioning, domains, suspension, backups.

Published with every app's codes as `ErrorCode` in the OpenAPI documents and the
GraphQL schema (shared_apps.core.errors)."""

from django.db import models


class TenantsErrorCode(models.TextChoices):
    ALREADY_ACTIVE = "already_active", "The marketplace is already active"
    ALREADY_SUSPENDED = "already_suspended", "The marketplace is already suspended"
    ARCHIVE_FAILED = "archive_failed", "The backup archive could not be written"
    BACKUP_UNVERIFIED = "backup_unverified", "The backup could not be verified"
    BAD_ARCHIVE = "bad_archive", "Not a backup archive of ours"
    CONFIRMATION_MISMATCH = "confirmation_mismatch", "The confirmation does not match"
    DOMAIN_TAKEN = "domain_taken", "The domain is taken"
    INVALID_DOMAIN = "invalid_domain", "Not a valid domain name"
    INVALID_SLUG = "invalid_slug", "Not a valid slug (a DNS label)"
    NO_SCHEMA = "no_schema", "The marketplace has no schema"
    PROTECTED = "protected", "The platform's own tenant can't be changed so"
    RESERVED_SLUG = "reserved_slug", "The slug is reserved"
    SLUG_TAKEN = "slug_taken", "The slug is taken"
    SUBDOMAIN_REQUIRED = (
        "subdomain_required",
        "A subdomain of the platform domain is needed",
    )
    UNKNOWN_DOMAIN = "unknown_domain", "No such domain"
