from __future__ import annotations

from tenant_apps.storefront.models import StorefrontProfile


def storefront_profile() -> StorefrontProfile:
    """The marketplace's profile; an empty one (not saved) until an admin writes it."""
    return StorefrontProfile.objects.first() or StorefrontProfile()
