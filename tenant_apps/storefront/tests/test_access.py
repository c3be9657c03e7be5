"""Who may open which host and admin page: every page, every role, from both marketplaces."""

from __future__ import annotations

from datetime import timedelta

import pytest
from csp.utils import build_policy
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.tests.factories import member_factory
from tenant_apps.bookings.services import booking_create
from tenant_apps.listings import services as listings
from tenant_apps.listings.tests.factories import listing_factory
from tenant_apps.storefront.tests.helpers import session_without_membership, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_listing_cache")]

HOST_PAGES = [
    ("get", "/host/"),
    ("get", "/host/listings/new/"),
    ("get", "/host/listings/{prop}/"),
    ("post", "/host/listings/{prop}/publish/"),
    ("post", "/host/listings/{prop}/photos/"),
    ("post", "/host/listings/{prop}/photos/{photo}/move/"),
    ("post", "/host/listings/{prop}/photos/{photo}/delete/"),
    ("get", "/host/listings/{prop}/calendar/"),
    ("post", "/host/listings/{prop}/blocks/{block}/delete/"),
    ("get", "/host/reservations/"),
    ("post", "/host/reservations/{booking}/answer/"),
    ("get", "/host/payouts/"),
]
ADMIN_PAGES = [
    ("get", "/manage/"),
    ("get", "/manage/branding/preview/"),
    ("get", "/manage/branding/preview.css"),
    ("get", "/manage/members/"),
    ("post", "/manage/members/{member}/role/"),
    ("get", "/manage/payments/"),
    ("post", "/manage/payments/check/"),
    ("get", "/manage/policies/"),
]


@pytest.fixture
def world(alpha, bravo):
    """Alpha with a guest, a host (with a listing, a photo, a block and a request) and its
    admin; bravo's admin for the cross-marketplace case."""
    guest = member_factory(alpha.tenant, Role.GUEST).user
    host = member_factory(alpha.tenant, Role.HOST).user
    prop = listing_factory(alpha.tenant, host)
    with tenant_context(alpha.tenant):
        photo = prop.photos.first()
        today = timezone.localdate()
        block = listings.block_create(
            property=prop, start=today + timedelta(days=60), end=today + timedelta(days=62)
        )
        booking = booking_create(
            property_id=prop.pk, guest=guest, check_in=today + timedelta(days=10),
            check_out=today + timedelta(days=12), guests=1,
        )  # fmt: skip
    ids = {"prop": prop.pk, "photo": photo.pk, "block": block.pk, "booking": booking.pk,
           "member": guest.pk}  # fmt: skip
    return {"guest": guest, "host": host, "ids": ids, "alpha": alpha, "bravo": bravo}


def _open(client: Client, method: str, path: str, ids: dict):
    return getattr(client, method)(path.format(**ids))


def _pages():
    return [("host", *page) for page in HOST_PAGES] + [("admin", *page) for page in ADMIN_PAGES]


def _refused(response, market) -> None:
    html = response.content.decode()
    assert response.status_code == 403
    assert market.tenant.brand_name in html  # the marketplace's own 403 page, not JSON
    assert "This page is not for you" in html
    assert response["Content-Security-Policy"] == build_policy()  # the project's one policy


@pytest.mark.parametrize(("area", "method", "path"), _pages())
def test_anonymous_visitors_are_sent_to_the_login_page(world, area, method, path):
    response = _open(Client(HTTP_HOST=world["alpha"].host), method, path, world["ids"])

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize(("area", "method", "path"), _pages())
def test_guests_get_the_branded_403_on_every_host_and_admin_page(world, area, method, path):
    client = signed_in(world["alpha"], world["guest"])

    _refused(_open(client, method, path, world["ids"]), world["alpha"])


@pytest.mark.parametrize(("area", "method", "path"), _pages())
def test_another_marketplaces_admin_is_refused_everywhere(world, area, method, path):
    client = session_without_membership(world["alpha"], world["bravo"].admin)

    _refused(_open(client, method, path, world["ids"]), world["alpha"])


@pytest.mark.parametrize(("method", "path"), ADMIN_PAGES)
def test_hosts_get_the_branded_403_on_admin_pages(world, method, path):
    client = signed_in(world["alpha"], world["host"])

    _refused(_open(client, method, path, world["ids"]), world["alpha"])


@pytest.mark.parametrize(("method", "path"), HOST_PAGES)
def test_hosts_open_their_own_pages(world, method, path):
    client = signed_in(world["alpha"], world["host"])

    response = _open(client, method, path, world["ids"])

    assert response.status_code in (200, 302, 400), response.content[:300]
    if response.status_code == 302:
        assert not response["Location"].startswith("/login/")


@pytest.mark.parametrize(("method", "path"), ADMIN_PAGES)
def test_admins_open_the_admin_pages(world, method, path):
    client = signed_in(world["alpha"], world["alpha"].admin)

    response = _open(client, method, path, world["ids"])

    assert response.status_code in (200, 302), response.content[:300]
    if response.status_code == 302:
        assert not response["Location"].startswith("/login/")


@pytest.mark.parametrize(("method", "path"), [p for p in HOST_PAGES if "{" in p[1]])
def test_an_admin_who_hosts_sees_another_hosts_listing_as_missing(world, method, path):
    client = signed_in(world["alpha"], world["alpha"].admin)

    response = _open(client, method, path, world["ids"])

    assert response.status_code == 404
    assert world["alpha"].tenant.brand_name in response.content.decode()


def test_a_bravo_session_cookie_is_no_session_on_alpha(world):
    bravo_client = signed_in(world["bravo"], world["bravo"].admin)
    assert bravo_client.get("/manage/").status_code == 200

    carried = Client(HTTP_HOST=world["alpha"].host)
    carried.cookies = bravo_client.cookies

    response = carried.get("/manage/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_navigation_offers_each_role_its_own_pages(world):
    guest_nav = signed_in(world["alpha"], world["guest"]).get("/").content.decode()
    host_nav = signed_in(world["alpha"], world["host"]).get("/").content.decode()
    admin_nav = signed_in(world["alpha"], world["alpha"].admin).get("/").content.decode()

    assert "Become a host" in guest_nav
    assert 'href="/manage/"' not in guest_nav
    assert 'href="/host/"' in host_nav
    assert 'href="/manage/"' not in host_nav
    assert 'href="/manage/"' in admin_nav
    assert 'href="/host/"' in admin_nav
