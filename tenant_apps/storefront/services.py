from __future__ import annotations

from typing import Any

from django.db import transaction

from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_rebrand
from tenant_apps.storefront.models import StorefrontProfile


@transaction.atomic
def storefront_profile_update(*, tagline: str | None = None, description: str | None = None):
    profile = StorefrontProfile.objects.select_for_update().first() or StorefrontProfile()
    if tagline is not None:
        profile.tagline = tagline.strip()
    if description is not None:
        profile.description = description.strip()
    profile.save()
    return profile


@transaction.atomic
def branding_save(
    *, tenant: Tenant, data: dict[str, Any], images: dict[str, Any], profile: dict[str, str]
) -> Tenant:
    """The admin's branding page: the marketplace's branding and pictures (tenants service)
    and its storefront words (tagline, description), all or nothing."""
    storefront_profile_update(**profile)
    # Last, so a refusal here rolls back the profile too (and leaves no uploaded file).
    return tenant_rebrand(tenant=tenant, data=data, images=images)
