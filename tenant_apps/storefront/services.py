from __future__ import annotations

from django.db import transaction

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
