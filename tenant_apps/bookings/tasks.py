"""The periodic jobs beat sends into every marketplace's queue (notifications are in
`notifications.py`, which the services send after each transition)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shared_apps.core.errors import ApplicationError
from shared_apps.core.tasks import marketplace_task
from shared_apps.core.tenancy import marketplace_today
from tenant_apps.bookings import services
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.pricing import booking_policy

logger = logging.getLogger(__name__)


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
