"""Completes confirmed stays whose check-out day has come, as beat's `bookings.complete_stays`
job does, here and now; `--as-of` moves "today" forward, so a demo can fast-forward a stay
that ends later and open its review."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import tenant_context

from shared_apps.core.errors import ApplicationError
from shared_apps.core.tenancy import marketplace_today
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.selectors import marketplace_tenants
from tenant_apps.bookings import services
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of takes a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Completes confirmed stays that have checked out (reviews open then), in every active "
        "marketplace or in those named. --as-of DATE completes those checking out by DATE, "
        "to fast-forward a stay in a demo."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--marketplace", action="append", default=[], metavar="SLUG",
            help="only this marketplace (repeat for several); default: every active one",
        )  # fmt: skip
        parser.add_argument(
            "--as-of", metavar="YYYY-MM-DD",
            help="treat this day as today (default: today in each marketplace's time zone)",
        )  # fmt: skip

    def handle(self, *args, **options):
        as_of = _day(options["as_of"]) if options["as_of"] else None
        for tenant in self._marketplaces(options["marketplace"]):
            with tenant_context(tenant):
                day = as_of or marketplace_today()
                done, skipped = self._complete(day)
            note = f", {skipped} changed meanwhile and left alone" if skipped else ""
            self.stdout.write(
                f"{tenant.schema_name}: {done} stay(s) completed "
                f"(check-out on or before {day.isoformat()}){note}"
            )

    def _marketplaces(self, slugs: list[str]) -> list[Tenant]:
        tenants = marketplace_tenants().order_by("schema_name")
        if not slugs:
            return list(tenants.filter(status=Tenant.Status.ACTIVE))
        found = list(tenants.filter(schema_name__in=slugs))
        if unknown := sorted(set(slugs) - {t.schema_name for t in found}):
            raise CommandError(f"No marketplace has the slug(s): {', '.join(unknown)}")
        return found

    def _complete(self, day: date) -> tuple[int, int]:
        """Each stay in its own transaction, through the bookings service (transition,
        notifications), like the periodic job."""
        done = skipped = 0
        ended = Booking.objects.filter(status=BookingStatus.CONFIRMED, check_out__lte=day)
        for booking in ended.order_by("check_out", "pk"):
            try:
                with transaction.atomic():
                    services.booking_complete(booking=booking)
                done += 1
            except ApplicationError:  # cancelled or completed since it was read
                skipped += 1
        return done, skipped
