"""Demo data for the host and admin pages: the demo host (host@<slug>.demo.test) gets a
request waiting for an answer, upcoming stays (one paid, one only accepted)
and completed, paid stays (payouts); the demo admin gets members to manage.

Kept apart from demo.py (listings, branding, reviews and trips) and called once from it, after
the reviews' stays. Everything goes through the services the pages use; a marketplace where
these members already booked is left as it is."""

from __future__ import annotations

from datetime import timedelta

from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.services import membership_grant
from shared_apps.core.tenancy import marketplace_today
from shared_apps.tenants.models import Tenant

# (first name, role) of the members an admin sees besides the demo's own logins.
DEMO_MEMBERS = [("Mia", Role.GUEST), ("Noah", Role.HOST), ("Elena", Role.GUEST)]


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


def _book(prop, who: User, *, start: int, nights: int):
    from tenant_apps.bookings.services import booking_create

    today = marketplace_today()
    nights = max(nights, prop.min_nights)
    return booking_create(
        property_id=prop.pk, guest=who, check_in=today + timedelta(days=start),
        check_out=today + timedelta(days=start + nights), guests=2,
    )  # fmt: skip


def _accepted(booking):
    """The host's yes, if it was a request (on an offline marketplace the stay then waits
    for the guest's transfer)."""
    from tenant_apps.bookings.services import booking_accept

    if booking.status == "requested":
        return booking_accept(booking=booking, actor=booking.property.host)
    return booking


def _paid(booking):
    """Accepted, then paid by bank transfer (the admin marks it)."""
    from tenant_apps.bookings.models import Booking
    from tenant_apps.payments.services import payment_mark_paid

    booking = _accepted(booking)
    if booking.status == "pending_payment":
        payment_mark_paid(
            booking_id=booking.pk, method="bank_transfer", reference=_reference(booking)
        )
    return Booking.objects.get(pk=booking.pk)


def _completed(booking) -> None:
    """A stay that already happened: bookings can only be made for the future, so the demo
    books and is paid, completes the stay as the periodic task would, then moves its dates
    back as if the weeks had passed."""
    from tenant_apps.bookings.models import Booking
    from tenant_apps.bookings.services import booking_complete

    booking = booking_complete(booking=_paid(booking))
    shift = timedelta(days=(booking.check_out - marketplace_today()).days + 10)
    Booking.objects.filter(pk=booking.pk).update(
        check_in=booking.check_in - shift, check_out=booking.check_out - shift
    )


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
        if on_request:
            _book(on_request[0], guest, start=30, nights=3)  # waits for the host's answer
        _paid(_book(listings[0], guest, start=7, nights=4))  # upcoming, paid
        _accepted(_book(listings[-1], elena, start=14, nights=2))  # upcoming, accepted
        _completed(_book(listings[0], mia, start=60, nights=3))
        _completed(_book(listings[-1], mia, start=70, nights=5))
