"""Error pages on marketplace hosts: branded HTML for browsers, the API's JSON for API
clients (anything under /api/ or /graphql/, or a request that doesn't accept HTML)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from shared_apps.core import views as json_errors

logger = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/graphql")


def wants_html(request: HttpRequest) -> bool:
    if request.path.startswith(API_PREFIXES):
        return False
    return "text/html" in request.headers.get("Accept", "")


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    try:
        body = render_to_string(
            "storefront/error.html",
            {"status": status, "title": title, "message": message},
            request=request,
        )
    except Exception:  # the error page must not fail, whatever broke the request
        logger.exception("the branded error page could not be rendered")
        body = f"<!doctype html><title>{status}</title><h1>{status}</h1>"
    return HttpResponse(body, status=status)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if not wants_html(request):
        return json_errors.json_not_found(request, exception)
    return _page(
        request, 404, _("We can't find this page"),
        _("The page may have moved, or the listing is no longer offered."),
    )  # fmt: skip


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    if not wants_html(request):
        return json_errors.json_forbidden(request, exception)
    return _page(
        request, 403, _("This page isn't open to you"),
        _("Log in with an account that may see it, or go back to the home page."),
    )  # fmt: skip


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if not wants_html(request):
        return json_errors.json_bad_request(request, exception)
    return _page(
        request, 400, _("We couldn't understand this request"),
        _("Check the address, or start again from the home page."),
    )  # fmt: skip


def server_error(request: HttpRequest) -> HttpResponse:
    if not wants_html(request):
        return json_errors.json_server_error(request)
    return _page(
        request, 500, _("Something went wrong on our side"),
        _("It has been logged and we'll look into it. Please try again in a moment."),
    )  # fmt: skip


def suspended(request: HttpRequest, tenant) -> HttpResponse:
    response = _page(
        request, 503, _("%(name)s is taking a short break") % {"name": tenant.brand_name},
        _("The marketplace is temporarily unavailable. Please try again later or contact "
          "its support."),
    )  # fmt: skip
    response["Retry-After"] = "3600"
    return response
