"""The API's rate limits on the pages that do the same things: logging in, signing up,
asking for a password link, setting a password, booking. Same scopes, rates and counters as
the API's ScopedRateThrottle (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES, in the marketplace's
cache), so a page is never a way around an API limit. Without Redis they fail as the API's do
(shared_apps.core.throttling): credentials closed, with a branded 503, the rest open."""

from __future__ import annotations

from functools import wraps

from django.shortcuts import render
from django.utils.translation import gettext as _

from shared_apps.core.errors import ApplicationError
from shared_apps.core.throttling import ResilientScopedRateThrottle


class _Scoped:
    """What ScopedRateThrottle reads from a view: its scope."""

    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


def throttled(scope: str):
    """Counts a view's POSTs against the API's `scope`; over the limit, a branded 429 page
    with Retry-After. Reading a page is never limited."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                throttle = ResilientScopedRateThrottle()
                try:
                    allowed = throttle.allow_request(request, _Scoped(scope))
                except ApplicationError as error:  # no Redis, and this scope fails closed
                    return _unavailable(request, error)
                if not allowed:
                    return _too_many(request, int(throttle.wait() or 1) + 1)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _too_many(request, seconds: int):
    message = _("Too many attempts from here. Wait %(seconds)s seconds, then try again.") % {
        "seconds": seconds
    }
    response = render(
        request,
        "storefront/error.html",
        {"status": 429, "title": _("Slow down"), "message": message},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def _unavailable(request, error: ApplicationError):
    response = render(
        request,
        "storefront/error.html",
        {"status": error.status_code, "title": _("Briefly unavailable"), "message": error.message},
        status=error.status_code,
    )
    for name, value in error.headers.items():
        response[name] = value
    return response
