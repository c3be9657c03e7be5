from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from tenant_apps.bookings.models import Booking
from tenant_apps.reviews import services
from tenant_apps.reviews.models import Review


def review_factory(tenant: Tenant, booking: Booking, *, rating: int = 5, **fields) -> Review:
    with tenant_context(tenant):
        return services.review_create(
            booking=booking, author=booking.guest, rating=rating,
            comment=fields.pop("comment", "A lovely stay, spotless and quiet."), **fields,
        )  # fmt: skip
