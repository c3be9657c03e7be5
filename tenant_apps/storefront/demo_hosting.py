"""Demo data for the host and admin pages: the demo host gets a request waiting for an
answer, upcoming stays and completed stays (payouts); the demo admin gets members to manage.

Kept apart from demo.py (listings and branding) and called once from it. Everything goes
through the services the pages use; re-running skips a marketplace that has bookings."""

from __future__ import annotations

from datetime import timedelta

from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.services import membership_grant
from shared_apps.core.tenancy import marketplace_today
from shared_apps.tenants.models import Tenant

# (first name, role) of the members an admin sees besides the demo's own logins.
DEMO_MEMBERS = [("Mia", Role.GUEST), ("Noah", Role.HOST), ("Lena", Role.GUEST)]


def _members(tenant: Tenant, make_user) -> list[User]:
    people = []
    for first_name, role in DEMO_MEMBERS:
        user = make_user(f"{first_name.lower()}@{tenant.schema_name}.demo.test", first_name)
        membership_grant(user=user, tenant=tenant, role=role)
        people.append(user)
    return people


def _reference(booking) -> str:
    """The transfer's reference, unique per provider like a bank's."""
    return f"DEMO-{booking.pk.hex[:10].upper()}"


def _completed_stay(booking) -> None:
    """A stay that already happened: bookings can only be made for the future, so the demo
    books, is paid, then moves the dates back as if the weeks had passed, and completes it
    as the periodic task would."""
    from tenant_apps.bookings.models import Booking
    from tenant_apps.bookings.services import booking_complete
    from tenant_apps.payments.services import payment_mark_paid

    payment_mark_paid(booking_id=booking.pk, method="bank_transfer", reference=_reference(booking))
    shift = timedelta(days=(booking.check_out - marketplace_today()).days + 10)
    Booking.objects.filter(pk=booking.pk).update(
        check_in=booking.check_in - shift, check_out=booking.check_out - shift
    )
    booking_complete(booking=Booking.objects.get(pk=booking.pk))


def seed_hosting(*, tenant: Tenant, host: User, guest: User, make_user) -> None:
    from tenant_apps.bookings.models import Booking
    from tenant_apps.bookings.services import booking_create
    from tenant_apps.listings.selectors import properties_of_host
    from tenant_apps.payments.services import payment_mark_paid

    mia, _noah, lena = _members(tenant, make_user)
    with tenant_context(tenant):
        if Booking.objects.exists():
            return
        listings = list(properties_of_host(host=host).order_by("created"))
        on_request = [prop for prop in listings if not prop.instant_book]
        instant = [prop for prop in listings if prop.instant_book]
        today = marketplace_today()

        def book(prop, who, start: int, nights: int):
            return booking_create(
                property_id=prop.pk, guest=who, check_in=today + timedelta(days=start),
                check_out=today + timedelta(days=start + nights), guests=2,
            )  # fmt: skip

        # A request waiting for the host's answer.
        book(on_request[0], guest, 21, 3)
        # Upcoming stays: one paid (confirmed), one waiting for the guest's transfer.
        paid = book(instant[0], guest, 7, 4)
        payment_mark_paid(booking_id=paid.pk, method="bank_transfer", reference=_reference(paid))
        book(instant[-1], lena, 14, 2)
        # Completed stays, so the payouts page has earnings.
        _completed_stay(book(instant[0], mia, 40, 3))
        _completed_stay(book(instant[-1], mia, 60, 5))
