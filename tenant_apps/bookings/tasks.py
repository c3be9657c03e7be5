"""Booking notifications and the periodic jobs beat sends into every marketplace's queue."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from shared_apps.core.errors import ApplicationError
from shared_apps.core.tasks import marketplace_task, run_once
from shared_apps.core.tenancy import current_tenant, marketplace_today
from shared_apps.tenants.selectors import marketplace_url
from tenant_apps.bookings import services
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking, BookingTransition
from tenant_apps.bookings.pricing import booking_policy

logger = logging.getLogger(__name__)

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


def _each(bookings, change, label: str) -> int:
    done = 0
    for booking in bookings:
        try:
            with transaction.atomic():
                change(booking=booking)
            done += 1
        except ApplicationError as exc:  # changed meanwhile (accepted, cancelled): skip it
            logger.info("%s skipped booking %s: %s", label, booking.pk, exc.message)
    return done


@marketplace_task(name="bookings.expire_requests")
def expire_requests() -> int:
    """Requests the host left unanswered, and holds never paid, give their dates back once
    the marketplace's expiry time has passed since they reached that state (an accepted
    request waiting for payment gets the full time again)."""
    cutoff = timezone.now() - timedelta(hours=booking_policy().request_expiry_hours)
    stale = Booking.objects.filter(
        status__in=[BookingStatus.REQUESTED, BookingStatus.PENDING_PAYMENT], updated__lt=cutoff
    )
    return _each(stale, services.booking_expire, "expiry")


@marketplace_task(name="bookings.complete_stays")
def complete_stays() -> int:
    """Confirmed stays whose check-out day has come are completed (reviews open then)."""
    ended = Booking.objects.filter(
        status=BookingStatus.CONFIRMED, check_out__lte=marketplace_today()
    )
    return _each(ended, services.booking_complete, "completion")
