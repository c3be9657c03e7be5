"""The Content-Security-Policy of storefront pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

# No inline script or style anywhere in the storefront: the theme is a stylesheet of its own
# (/theme.css) and htmx is served from /static/. A page that needs more (checkout's Stripe.js)
# sets its own header, which this middleware then leaves alone. Logos may live on any HTTPS
# host, so images are the one relaxed source.
STOREFRONT_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def is_storefront_page(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and (match.url_name or "").startswith("storefront-"))


def add_storefront_csp(response: HttpResponse) -> HttpResponse:
    if "Content-Security-Policy" not in response:
        response["Content-Security-Policy"] = STOREFRONT_CSP
    return response
