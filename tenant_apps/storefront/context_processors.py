"""What every storefront template needs besides `marketplace` (core's branding processor)."""

from __future__ import annotations

from functools import cache

from django.core.cache import cache as shared_cache
from django.db import connection
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from shared_apps.tenants.selectors import marketplace_url
from tenant_apps.storefront.theme import theme_version

# Pages other work adds (checkout, trips, account): linked from the navigation once their
# URL exists. Resolved once per process: a failed reverse walks every URL pattern.
OPTIONAL_PAGES = (
    "storefront-search",
    "storefront-trips",
    "storefront-account",
    "storefront-signup",
)
# The canonical base URL, cached briefly per marketplace (the cache key carries the schema):
# it needs a query, and a change of primary domain may take this long to show in links.
SITE_URL_SECONDS = 60


def site_url(tenant) -> str:
    """The marketplace's base URL on its primary domain (canonical links, JSON-LD)."""
    return shared_cache.get_or_set(
        "storefront:site-url", lambda: marketplace_url(tenant=tenant), SITE_URL_SECONDS
    )


@cache
def optional_page_urls() -> dict[str, str | None]:
    urls = {}
    for name in OPTIONAL_PAGES:
        try:
            urls[name.removeprefix("storefront-")] = reverse(name)
        except NoReverseMatch:
            urls[name.removeprefix("storefront-")] = None
    return urls


def storefront(request: HttpRequest) -> dict:
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    if tenant is None or not getattr(tenant, "pk", None) or tenant.schema_name == "public":
        return {}

    return {
        "theme_version": theme_version(tenant),
        # Called only by pages that print a canonical URL, and once per page.
        "site_url": cache(lambda: site_url(tenant)),
        "nav_urls": optional_page_urls(),
    }
