"""What every storefront template needs besides `marketplace` (core's branding processor)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest

from shared_apps.tenants.selectors import marketplace_url
from tenant_apps.storefront.theme import theme_version


def storefront(request: HttpRequest) -> dict:
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    if tenant is None or not getattr(tenant, "pk", None) or tenant.schema_name == "public":
        return {}
    return {
        "theme_version": theme_version(tenant),
        # A callable, so the domain lookup runs only on pages that print a canonical URL.
        "site_url": lambda: marketplace_url(tenant=tenant),
    }
