"""Every route of both URLconfs, called by people who must get nothing: anonymous callers, a
member of another marketplace signed in here, and the holder of another marketplace's token.

The routes are read from the URLconfs, so a new endpoint is covered without touching this
file: it must answer a refusal (401, 403, 404, 405, a 4xx about the input, or a redirect to
a login page), never a 500, and never a 2xx unless it is public by design (PUBLIC below).
Ids in paths are real rows of alpha: a listing, its photo and block, a booking, a review and
a member. A bravo member with bravo's own token asking bravo's host for alpha's ids must get
nothing either: the schema is the boundary."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.tests.factories import member_factory
from tenant_apps.bookings.services import booking_create
from tenant_apps.bookings.tests.factories import stay_factory
from tenant_apps.listings import services as listings
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.reviews.tests.factories import review_factory
from tenant_apps.storefront.tests.helpers import session_without_membership

# Routes anyone may read or call (sign-up, login, search, a published listing, its
# calendar, quote and reviews, branding, the API documents, the storefront's public pages,
# the admin's login page). Keys are route patterns as the URLconf spells them.
PUBLIC = {
    "config.urls_tenant": {
        "api/v1/auth/token",
        "api/v1/auth/token/refresh",
        "api/v1/auth/password/reset",
        "api/v1/auth/password/set",
        "api/v1/auth/signup",
        "api/v1/branding",
        "api/v1/amenities",
        "api/v1/properties",
        "api/v1/properties/<uuid:property_id>",
        "api/v1/properties/<uuid:property_id>/calendar",
        "api/v1/properties/<uuid:property_id>/quote",
        "api/v1/properties/<uuid:property_id>/reviews",
        "api/schema/",
        "api/docs/",
        "graphql/",
        "theme.css",
        "favicon.svg",
        "favicon.ico",
        "robots.txt",
        "sitemap.xml",
        "",
        "search/",
        "stays/<uuid:property_id>/",
        "stays/<uuid:property_id>/calendar/",
        "stays/<uuid:property_id>/quote/",
        "login/",
        "signup/",
        "password-reset/",
        "accounts/set-password/<str:uidb64>/<str:token>/",
        "admin/login/",
        "logout/",
        "admin/logout/",  # logging out is for anyone, and shows nothing
        "admin/brand.css",  # the marketplace's colours, shown on its public login page
    },
    "config.urls_public": {
        "api/v1/auth/token",
        "api/v1/auth/token/refresh",
        "api/v1/auth/password/reset",
        "api/v1/auth/password/set",
        "api/schema/",
        "api/docs/",
        "accounts/set-password/<str:uidb64>/<str:token>/",
        "admin/login/",
        "admin/logout/",
        "",  # the platform's index: links to its docs, API and health check
    },
}
API_METHODS = ("get", "post", "put", "patch", "delete")
LOGIN_PAGES = ("/login/", "/admin/login/")


def _routes(urlconf: str):
    """(pattern as written, view callback) for every route, includes flattened."""

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), entry.callback

    return list(walk(get_resolver(urlconf).url_patterns))


def _methods(callback) -> tuple[str, ...]:
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view is None:  # function views (pages, the admin's): read and submit
        return ("get", "post")
    return tuple(m for m in API_METHODS if hasattr(view, m))


def _path(pattern: str, ids: dict) -> str:
    """A concrete path: route converters and regex groups filled from `ids` by name."""

    def route_value(match: re.Match) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if name in ids:
            return str(ids[name])
        return {"int": "1", "slug": "alpha"}.get(converter, "x")

    def regex_group(match: re.Match) -> str:
        name, body = match.group(1), match.group(2)
        if name in ids:
            return str(ids[name])
        if "|" in body:  # an admin app label: one of the alternatives
            return body.split("|")[0].strip("()")
        return "1" if body in (r"\d+", "[0-9]+") else "x"

    path = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", regex_group, pattern)
    path = re.sub(r"<(?:(\w+):)?(\w+)>", route_value, path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def _refused(response) -> bool:
    if response.status_code in (301, 302, 303):
        return response.headers["Location"].split("?")[0].endswith(LOGIN_PAGES)
    return 400 <= response.status_code < 500


def _call(client: Client, method: str, path: str, **headers):
    if method in ("get", "delete"):
        return getattr(client, method)(path, **headers)
    return getattr(client, method)(path, data={}, content_type="application/json", **headers)


@pytest.fixture
def alpha_rows(alpha):
    """Real rows of alpha for every id a route can take."""
    guest = member_factory(alpha.tenant, Role.GUEST).user
    host = member_factory(alpha.tenant, Role.HOST).user
    listing = listing_factory(alpha.tenant, host)
    review = review_factory(alpha.tenant, stay_factory(alpha.tenant, guest, listing))
    with tenant_context(alpha.tenant):
        today = timezone.localdate()
        block = listings.block_create(
            property=listing, start=today + timedelta(days=60), end=today + timedelta(days=62)
        )
        booking = booking_create(
            property_id=listing.pk, guest=guest, check_in=today + timedelta(days=10),
            check_out=today + timedelta(days=12), guests=1,
        )  # fmt: skip
        photo = listing.photos.first()
    return {
        "property_id": listing.pk, "photo_id": photo.pk, "block_id": block.pk,
        "booking_id": booking.pk, "review_id": review.pk, "user_id": guest.pk,
        "object_id": booking.pk, "id": booking.pk, "slug": alpha.slug, "provider": "stripe",
    }  # fmt: skip


def _walk(urlconf: str, host: str, callers: dict[str, Client], ids: dict) -> list[str]:
    for client in callers.values():
        client.raise_request_exception = False  # a server error is a finding, not a crash
    leaks = []
    for pattern, callback in _routes(urlconf):
        path = _path(pattern, ids)
        for method in _methods(callback):
            for who, client in callers.items():
                response = _call(client, method, path)
                status = response.status_code
                public = pattern in PUBLIC[urlconf]
                if status >= 500 or not (_refused(response) or (public and status < 400)):
                    leaks.append(f"{who}: {method.upper()} {host}{path} -> {status}")
    return leaks


def test_no_marketplace_route_serves_strangers(alpha, bravo, alpha_rows, api):
    stranger = member_factory(bravo.tenant, Role.ADMIN).user
    callers = {
        "anonymous": Client(HTTP_HOST=alpha.host),
        "bravo member signed in on alpha": session_without_membership(alpha, stranger),
        "bravo's token on alpha": api(alpha.host, stranger, issuer=bravo.tenant),
    }

    leaks = _walk("config.urls_tenant", alpha.host, callers, alpha_rows)

    assert leaks == [], "\n".join(leaks)


def test_another_marketplace_cannot_reach_alphas_rows_by_id(alpha, bravo, alpha_rows, api):
    """Bravo's admin, on bravo's own host with bravo's own token, names alpha's ids: every
    route that takes an id answers as if the row did not exist."""
    admin = api(bravo.host, member_factory(bravo.tenant, Role.ADMIN).user)
    admin.raise_request_exception = False
    leaks = []
    for pattern, callback in _routes("config.urls_tenant"):
        if "<uuid:" not in pattern:
            continue
        path = _path(pattern, alpha_rows)
        for method in _methods(callback):
            response = _call(admin, method, path)
            if response.status_code >= 500 or response.status_code < 300:
                leaks.append(f"{method.upper()} {bravo.host}{path} -> {response.status_code}")

    assert leaks == [], "\n".join(leaks)


def test_no_platform_route_serves_marketplace_members(alpha, alpha_rows, api, platform_host):
    member = member_factory(alpha.tenant, Role.ADMIN).user
    signed_in = Client(HTTP_HOST=platform_host)
    signed_in.force_login(member)
    callers = {
        "anonymous": Client(HTTP_HOST=platform_host),
        "marketplace admin signed in on the platform host": signed_in,
        "alpha's token on the platform host": api(platform_host, member, issuer=alpha.tenant),
    }

    leaks = _walk("config.urls_public", platform_host, callers, alpha_rows)

    assert leaks == [], "\n".join(leaks)


def test_the_walker_fills_every_route_and_sees_new_ones():
    """Every pattern becomes a concrete path (no converter or group left unfilled), and the
    walk covers the API, GraphQL, pages and the admin of both URLconfs."""
    for urlconf in PUBLIC:
        paths = [_path(pattern, {}) for pattern, _ in _routes(urlconf)]
        assert not [p for p in paths if re.search(r"[<>()?]", p)]
        assert any(p.startswith("/api/v1/") for p in paths)
        assert any(p.startswith("/admin/") for p in paths)
        assert set(PUBLIC[urlconf]) <= {pattern for pattern, _ in _routes(urlconf)}
