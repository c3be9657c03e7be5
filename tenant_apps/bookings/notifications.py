"""Emails about a booking's transitions, sent from the marketplace's own queue once the
transition commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from shared_apps.core.tasks import marketplace_task, run_once
from shared_apps.core.tenancy import current_tenant
from shared_apps.tenants.selectors import marketplace_url
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import BookingTransition

# (status reached) -> (what the guest reads, what the host reads)
HEADLINES = {
    BookingStatus.REQUESTED: ("Your request was sent to the host.", "You have a new request."),
    BookingStatus.PENDING_PAYMENT: ("Your stay is held while you pay.", "A guest is booking."),
    BookingStatus.CONFIRMED: ("Your stay is confirmed.", "A stay at your place is confirmed."),
    BookingStatus.DECLINED: ("The host declined your request.", "You declined a request."),
    BookingStatus.EXPIRED: ("Your request expired unanswered.", "A request expired unanswered."),
    BookingStatus.CANCELLED: ("Your booking was cancelled.", "A booking was cancelled."),
    BookingStatus.COMPLETED: ("We hope you enjoyed your stay.", "A stay at your place ended."),
}


@marketplace_task(name="bookings.notify")
def notify(transition_id: int) -> int:
    """Emails the guest and the host about one transition, once (keyed by the transition)."""
    step = (
        BookingTransition.objects.select_related("booking__property__host", "booking__guest")
        .filter(pk=transition_id)
        .first()
    )
    if step is None:
        return 0
    booking = step.booking
    tenant = current_tenant()
    guest_line, host_line = HEADLINES[step.to_status]
    with run_once(f"booking-notify:{transition_id}", task_name="bookings.notify") as first:
        if not first:
            return 0
        for recipient, headline in (
            (booking.guest, guest_line),
            (booking.property.host, host_line),
        ):
            context = {
                "recipient": recipient, "headline": headline, "booking": booking,
                "marketplace": tenant, "url": marketplace_url(tenant=tenant),
            }  # fmt: skip
            send_mail(
                subject=f"{tenant.brand_name}: {headline}",
                message=render_to_string("bookings/email/transition.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[recipient.email],
            )
    return 2
