"""Per-marketplace assets: the theme stylesheet and the favicon, generated from branding."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from shared_apps.core.tenancy import current_tenant
from shared_apps.tenants.selectors import marketplace_url
from tenant_apps.listings.cache import cached
from tenant_apps.listings.selectors import published_listing_dates
from tenant_apps.storefront.theme import theme_for, theme_version

A_YEAR = 60 * 60 * 24 * 365


def _cached_by_version(request: HttpRequest, response: HttpResponse, version: str) -> None:
    """Forever when the URL names the current version (a branding change is a new URL),
    briefly otherwise, so a stale or missing `v` never sticks in a cache."""
    if request.GET.get("v") == version:
        response["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    else:
        response["Cache-Control"] = "public, max-age=300"


@require_safe
def theme_css(request: HttpRequest) -> HttpResponse:
    tenant = current_tenant()
    response = render(
        request,
        "storefront/theme.css",
        {"variables": theme_for(tenant).variables()},
        content_type="text/css; charset=utf-8",
    )
    _cached_by_version(request, response, theme_version(tenant))
    return response


@require_safe
def favicon_svg(request: HttpRequest) -> HttpResponse:
    tenant = current_tenant()
    theme = theme_for(tenant)
    initial = (tenant.brand_name.strip()[:1] or "?").upper()
    response = render(
        request,
        "storefront/favicon.svg",
        {"theme": theme, "initial": initial},
        content_type="image/svg+xml",
    )
    _cached_by_version(request, response, theme_version(tenant))
    return response


@require_safe
def favicon_ico(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico on their own; the marketplace's icon is an SVG.
    return HttpResponsePermanentRedirect(reverse("storefront-favicon"))


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    site = marketplace_url(tenant=current_tenant())
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /api/",
        "Disallow: /graphql/",
        "Disallow: /admin/",
        "Disallow: /login/",
        "Disallow: /checkout/",
        f"Sitemap: {site}{reverse('storefront-sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def sitemap_xml(request: HttpRequest) -> HttpResponse:
    """The home page and every published listing, on the marketplace's primary domain."""
    site = marketplace_url(tenant=current_tenant())

    def compute() -> list[tuple[str, str]]:
        return [
            (reverse("storefront-listing", args=[pk]), updated.date())
            for pk, updated in published_listing_dates()
        ]

    entries = cached("sitemap", {}, compute)
    return render(
        request,
        "storefront/sitemap.xml",
        {"site": site, "entries": entries},
        content_type="application/xml; charset=utf-8",
    )
