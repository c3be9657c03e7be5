"""The demo data `make run` seeds tells a consistent story: what a trip page says was paid
was paid, through the same services a marketplace's admin uses."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.payments.constants import PaymentStatus


def test_every_confirmed_or_completed_demo_stay_has_its_payment(demo):
    for store in demo.values():
        with tenant_context(store.tenant):
            held = Booking.objects.filter(
                status__in=[BookingStatus.CONFIRMED, BookingStatus.COMPLETED]
            ).prefetch_related("payments")
            assert held, f"{store.slug} has no confirmed or completed stays"
            for booking in held:
                paid = [p for p in booking.payments.all() if p.status == PaymentStatus.SUCCEEDED]
                assert [p.amount for p in paid] == [booking.total], (
                    f"{store.slug}: {booking.status} stay {booking.pk} shows no payment"
                )
