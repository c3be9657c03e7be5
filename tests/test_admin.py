"""Django admin on both hosts, each scoped to what its users may see."""

import pytest

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.services import membership_grant
from shared_apps.accounts.tests.factories import PASSWORD, UserFactory


def login(client, host, user):
    return client.post(
        "/admin/login/",
        {"username": user.email, "password": PASSWORD, "next": "/admin/"},
        HTTP_HOST=host,
    )


def test_marketplace_admin_sees_only_their_members(client, alpha, bravo, make_member):
    alpha_guest = make_member(alpha.tenant)
    bravo_guest = make_member(bravo.tenant)
    login(client, alpha.host, alpha.admin)

    page = client.get("/admin/accounts/membership/", HTTP_HOST=alpha.host)

    assert page.status_code == 200
    html = page.content.decode()
    assert alpha_guest.user.email in html
    assert bravo_guest.user.email not in html
    assert "Alpha Mountain Stays admin" in html


def test_marketplace_admin_cannot_open_another_marketplaces_member(
    client, alpha, bravo, make_member
):
    bravo_guest = make_member(bravo.tenant)
    login(client, alpha.host, alpha.admin)

    page = client.get(f"/admin/accounts/membership/{bravo_guest.pk}/change/", HTTP_HOST=alpha.host)

    assert page.status_code == 302  # Django's admin redirects a missing object to the list
    assert (
        bravo_guest.user.email
        not in client.get(page["Location"], HTTP_HOST=alpha.host).content.decode()
    )


def login_errors(response) -> list[str]:
    """The messages a login page shows (the form's errors), nothing else of the page."""
    form = response.context["form"]
    return [str(message) for message in form.non_field_errors()]


def wrong_password(client, host, user):
    return client.post(
        "/admin/login/",
        {"username": user.email, "password": "not-the-password-1", "next": "/admin/"},
        HTTP_HOST=host,
    )


@pytest.mark.parametrize("role", [Role.GUEST, Role.HOST])
def test_non_admin_members_cannot_log_in_to_the_marketplace_admin(client, alpha, make_member, role):
    member = make_member(alpha.tenant, role).user

    response = login(client, alpha.host, member)

    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
    # The right password of a member who is not admin reads exactly as a wrong password:
    # the page says nothing about membership or roles.
    assert login_errors(response) == login_errors(wrong_password(client, alpha.host, member))
    assert "administrators" not in response.content.decode()


def test_admin_of_a_cannot_log_in_to_bs_admin(client, alpha, bravo):
    response = login(client, bravo.host, alpha.admin)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert login_errors(response) == login_errors(wrong_password(client, bravo.host, alpha.admin))


def test_platform_admin_is_for_staff_only(client, platform_host, alpha):
    refused = login(client, platform_host, alpha.admin)
    assert refused.status_code == 200  # not staff: the login form again
    assert login_errors(refused) == login_errors(wrong_password(client, platform_host, alpha.admin))

    operator = UserFactory(is_staff=True)
    membership_grant(user=operator, tenant=alpha.tenant, role=Role.GUEST)
    login(client, platform_host, operator)
    page = client.get("/admin/tenants/tenant/", HTTP_HOST=platform_host)
    assert page.status_code == 200
    html = page.content.decode()
    assert "alpha" in html
    assert "bravo" in html


def test_platform_staff_deactivate_identities_rather_than_delete_them(
    client, platform_host, alpha, make_member
):
    operator = UserFactory(is_staff=True)
    User.objects.filter(pk=operator.pk).update(is_superuser=True)  # every model permission
    member = make_member(alpha.tenant).user
    login(client, platform_host, operator)

    page = client.get(f"/admin/accounts/user/{member.pk}/delete/", HTTP_HOST=platform_host)
    bulk = client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [str(member.pk)], "post": "yes"},
        HTTP_HOST=platform_host,
    )

    assert page.status_code == 403
    assert bulk.status_code in (200, 302)
    assert User.objects.filter(pk=member.pk).exists()


def test_marketplace_admin_changes_a_role_through_the_service(client, alpha, make_member):
    member = make_member(alpha.tenant)
    login(client, alpha.host, alpha.admin)

    response = client.post(
        f"/admin/accounts/membership/{member.pk}/change/", {"role": "host"}, HTTP_HOST=alpha.host
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.HOST


def test_marketplace_admin_sees_only_their_listings(client, alpha, bravo, make_member):
    from tenant_apps.listings.tests.factories import listing_factory

    listing_factory(alpha.tenant, make_member(alpha.tenant, Role.HOST).user, title="Alpine hut")
    listing_factory(bravo.tenant, make_member(bravo.tenant, Role.HOST).user, title="Beach hut")
    login(client, alpha.host, alpha.admin)

    page = client.get("/admin/listings/property/", HTTP_HOST=alpha.host).content.decode()

    assert "Alpine hut" in page
    assert "Beach hut" not in page


def test_marketplace_admin_reads_bookings_but_cannot_edit_them(client, alpha, make_member):
    from datetime import date, timedelta

    from django_tenants.utils import tenant_context

    from tenant_apps.bookings.services import booking_create
    from tenant_apps.listings.tests.factories import listing_factory

    listing = listing_factory(alpha.tenant, make_member(alpha.tenant, Role.HOST).user)
    guest = make_member(alpha.tenant).user
    start = date.today() + timedelta(days=10)  # noqa: DTZ011
    with tenant_context(alpha.tenant):
        booking = booking_create(
            property_id=listing.pk, guest=guest, check_in=start,
            check_out=start + timedelta(days=2), guests=1,
        )  # fmt: skip
    login(client, alpha.host, alpha.admin)

    listing_page = client.get("/admin/bookings/booking/", HTTP_HOST=alpha.host)
    change = client.post(
        f"/admin/bookings/booking/{booking.pk}/change/",
        {"status": "confirmed"},
        HTTP_HOST=alpha.host,
    )

    assert guest.email in listing_page.content.decode()
    assert change.status_code == 302  # saved, but every field is read-only: nothing changed
    with tenant_context(alpha.tenant):
        booking.refresh_from_db()
    assert booking.status == "requested"
