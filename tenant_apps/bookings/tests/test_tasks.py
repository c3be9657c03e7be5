"""Notifications on every transition, once each; periodic expiry and completion."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from tenant_apps.bookings import notifications, services, tasks
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking, BookingTransition
from tenant_apps.listings.tests.factories import listing_factory
from tests.support.days import day

pytestmark = pytest.mark.usefixtures("eager_tasks")


@pytest.fixture
def parties(alpha, make_member):
    host = make_member(alpha.tenant, Role.HOST).user
    guest = make_member(alpha.tenant).user
    return host, guest, listing_factory(alpha.tenant, host, nightly_price=Decimal("90"))


def _book(listing, guest, start=10, nights=2):
    return services.booking_create(
        property_id=listing.pk, guest=guest, check_in=day(start),
        check_out=day(start + nights), guests=1,
    )  # fmt: skip


def test_each_transition_notifies_guest_and_host_once(
    alpha, parties, mailoutbox, django_capture_on_commit_callbacks
):
    host, guest, listing = parties
    with tenant_context(alpha.tenant):
        with django_capture_on_commit_callbacks(execute=True):
            booking = _book(listing, guest)
        with django_capture_on_commit_callbacks(execute=True):
            services.booking_accept(booking=booking, actor=host)
        # the same notification delivered again (a redelivered message) sends nothing
        for step in BookingTransition.objects.filter(booking=booking):
            assert notifications.notify.apply(kwargs={"transition_id": step.pk}).get() == 0

    assert len(mailoutbox) == 4
    to_guest = [m for m in mailoutbox if m.to == [guest.email]]
    to_host = [m for m in mailoutbox if m.to == [host.email]]
    assert [m.subject.split(": ", 1)[1] for m in to_guest] == [
        "Your request was sent to the host.",
        "Your stay is confirmed.",
    ]
    assert "You have a new request." in to_host[0].subject
    assert "Alpha Mountain Stays" in to_guest[0].subject
    assert str(booking.id) in to_guest[1].body


def test_unanswered_requests_expire_and_free_their_dates(alpha, parties):
    host, guest, listing = parties
    with tenant_context(alpha.tenant):
        stale = _book(listing, guest, start=10)
        fresh = _book(listing, guest, start=20)
        Booking.objects.filter(pk=stale.pk).update(updated=timezone.now() - timedelta(hours=25))

        expired = tasks.expire_requests.apply().get()

        assert expired == 1
        assert Booking.objects.get(pk=stale.pk).status == BookingStatus.EXPIRED
        assert Booking.objects.get(pk=fresh.pk).status == BookingStatus.REQUESTED
        again = _book(listing, guest, start=10)  # the dates are free again
        assert again.status == BookingStatus.REQUESTED


def test_past_stays_complete_and_future_ones_do_not(alpha, parties):
    host, guest, listing = parties
    with tenant_context(alpha.tenant):
        past = services.booking_accept(booking=_book(listing, guest, start=3), actor=host)
        future = services.booking_accept(booking=_book(listing, guest, start=30), actor=host)
        Booking.objects.filter(pk=past.pk).update(check_in=day(-4), check_out=day(-1))

        completed = tasks.complete_stays.apply().get()

        assert completed == 1
        assert Booking.objects.get(pk=past.pk).status == BookingStatus.COMPLETED
        assert Booking.objects.get(pk=future.pk).status == BookingStatus.CONFIRMED


def test_periodic_jobs_run_in_every_marketplace(settings):
    from config.celery import _schedule_marketplace_jobs, app

    _schedule_marketplace_jobs(app)

    for job in ("bookings.expire_requests", "bookings.complete_stays"):
        assert app.conf.beat_schedule[f"every-marketplace:{job}"]["args"] == (job,)


def test_booking_creation_is_throttled_per_user(api, alpha, parties, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    host, guest, listing = parties
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"booking": "2/min"})
    client = api(alpha.host, guest)

    def attempt(start):
        return client.post(
            "/api/v1/bookings",
            {
                "property_id": str(listing.id),
                "check_in": day(start),
                "check_out": day(start + 1),
                "guests": 1,
            },
        )

    statuses = [attempt(start).status_code for start in (40, 50, 60)]

    assert statuses == [201, 201, 429]
    assert int(attempt(70)["Retry-After"]) > 0
