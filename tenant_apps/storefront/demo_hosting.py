"""Demo data for the host and admin pages: the demo host (host@<slug>.demo.test) gets a
request waiting for an answer, upcoming stays (one paid, one only accepted)
and completed, paid stays (payouts); the demo admin gets members to manage.

Kept apart from demo.py (listings, branding, reviews and trips) and called once from it, after
the reviews' stays. Everything goes through the services the pages use; a marketplace where
these members already booked is left as it is."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.services import membership_grant
from shared_apps.tenants.models import Tenant
from tenant_apps.storefront.demo_stays import accepted, book, into_the_past, paid

# (first name, role) of the members an admin sees besides the demo's own logins.
DEMO_MEMBERS = [("Mia", Role.GUEST), ("Noah", Role.HOST), ("Elena", Role.GUEST)]


def _members(tenant: Tenant, make_user) -> list[User]:
    people = []
    for first_name, role in DEMO_MEMBERS:
        user = make_user(f"{first_name.lower()}@{tenant.schema_name}.demo.test", first_name)
        membership_grant(user=user, tenant=tenant, role=role)
        people.append(user)
    return people


def seed_hosting(*, tenant: Tenant, host: User, guest: User, make_user) -> None:
    from tenant_apps.bookings.models import Booking
    from tenant_apps.listings.selectors import properties_of_host

    mia, _noah, elena = _members(tenant, make_user)
    with tenant_context(tenant):
        if Booking.objects.filter(guest__in=[mia, elena]).exists():
            return
        listings = list(properties_of_host(host=host).order_by("created"))
        on_request = [prop for prop in listings if not prop.instant_book]
        # Days chosen clear of the demo guest's own trips (demo.py: +21 and +45).
        if on_request:  # waits for the host's answer
            book(on_request[0], guest, start_in_days=30, nights=3, guests=2)
        # Upcoming: one paid, one accepted and waiting for the transfer.
        paid(book(listings[0], guest, start_in_days=7, nights=4, guests=2))
        accepted(book(listings[-1], elena, start_in_days=14, nights=2, guests=2))
        # Completed and paid: the host's payouts.
        into_the_past(
            paid(book(listings[0], mia, start_in_days=60, nights=3, guests=2)),
            ended_days_ago=10,
        )
        into_the_past(
            paid(book(listings[-1], mia, start_in_days=70, nights=5, guests=2)),
            ended_days_ago=10,
        )
