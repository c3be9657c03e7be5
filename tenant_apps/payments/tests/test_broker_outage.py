"""A Redis (broker) outage after a booking change commits: the guest and the host get their
answer, and the follow-up work (notifications, refunds) waits in the outbox until the broker
is back, then runs once. Uses a private redis-server killed mid-test, never the shared one."""

from __future__ import annotations

import contextlib
import json
import time
from datetime import timedelta

from django_tenants.utils import tenant_context

from shared_apps.core.models import OutboxMessage
from shared_apps.core.outbox import outbox_sweep
from shared_apps.queues.routing import tenant_queue
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.payments.models import Refund
from tenant_apps.payments.tests.helpers import book, paid_booking
from tests.support.redis_server import celery_broker, free_port, private_redis

NOW = timedelta(0)  # the sweep takes every unsent message, however recent


def unsent(market) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(schema_name=market.tenant.schema_name, sent_at__isnull=True)
    )


@contextlib.contextmanager
def tasks_run_here():
    """The broker is back and a worker runs what it gets: here, in this process."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False
        app.conf.task_eager_propagates = False


def test_host_and_guest_answers_survive_a_killed_broker_and_the_sweep_queues_their_tasks(
    api, alpha, host, guest, on_request, instant, settings, django_capture_on_commit_callbacks
):
    def post(user, path):  # the request, and what runs once its transaction commits
        with django_capture_on_commit_callbacks(execute=True):
            return api(alpha.host, user).post(path)

    with private_redis() as redis_server, celery_broker(redis_server.url):
        with django_capture_on_commit_callbacks(execute=True):
            to_accept = book(alpha, on_request, guest, start=30)
            to_decline = book(alpha, on_request, guest, start=40)
            to_cancel = book(alpha, instant, guest, start=50)
        assert unsent(alpha) == []  # the broker was up: published at once
        queue_key = settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] + tenant_queue(
            alpha.tenant.schema_name
        )
        redis_server.client().delete(queue_key)  # what the bookings themselves queued
        redis_server.kill()

        started = time.monotonic()
        accepted = post(host, f"/api/v1/bookings/{to_accept.pk}/accept")
        declined = post(host, f"/api/v1/bookings/{to_decline.pk}/decline")
        cancelled = post(guest, f"/api/v1/bookings/{to_cancel.pk}/cancel")
        took = time.monotonic() - started

        assert [accepted.status_code, declined.status_code, cancelled.status_code] == [200] * 3
        assert took < 5, f"three answers took {took:.1f}s while the broker was down"
        assert accepted.json()["status"] != BookingStatus.REQUESTED
        assert declined.json()["status"] == BookingStatus.DECLINED
        assert cancelled.json()["status"] == BookingStatus.CANCELLED
        with tenant_context(alpha.tenant):  # committed, as answered
            for answer in (accepted, declined, cancelled):
                stored = Booking.objects.get(pk=answer.json()["id"])
                assert stored.status == answer.json()["status"]
        waiting = unsent(alpha)
        assert len(waiting) == 3  # one notification per transition, none lost

        redis_server.start()  # the broker comes back (empty: it had no persistence)
        assert outbox_sweep(older_than=NOW) == 3

        assert unsent(alpha) == []
        queued = [json.loads(raw) for raw in redis_server.client().lrange(queue_key, 0, -1)]
        assert sorted(m["headers"]["id"] for m in queued) == sorted(str(m.pk) for m in waiting)
        assert {m["headers"]["task"] for m in queued} == {"bookings.notify"}


def test_a_cancelled_paid_booking_gets_its_refund_and_notices_after_the_broker_returns(
    api, alpha, guest, instant, stripe_keys, fake_stripe, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with tasks_run_here(), django_capture_on_commit_callbacks(execute=True):
        booking, _ = paid_booking(alpha, api, guest, instant, stripe_keys, fake_stripe, start_in=30)
    assert unsent(alpha) == []
    mailoutbox.clear()
    nobody_listens = f"redis://127.0.0.1:{free_port()}/0"

    with celery_broker(nobody_listens), django_capture_on_commit_callbacks(execute=True):
        response = api(alpha.host, guest).post(f"/api/v1/bookings/{booking.pk}/cancel")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == BookingStatus.CANCELLED
    assert float(response.json()["refund_amount"]) > 0
    assert fake_stripe.refunds(stripe_keys["secret_key"]) == []
    assert mailoutbox == []
    assert {m.task_name for m in unsent(alpha)} == {"bookings.notify", "payments.settle_booking"}

    with tasks_run_here():
        assert outbox_sweep(older_than=NOW) == 2
        assert outbox_sweep(older_than=NOW) == 0  # nothing is sent twice

    refunded = sum(r["amount"] for r in fake_stripe.refunds(stripe_keys["secret_key"]))
    assert refunded == int(float(response.json()["refund_amount"]) * 100)
    with tenant_context(alpha.tenant):
        assert Refund.objects.filter(payment__booking=booking).count() == 1
    assert {m.to[0] for m in mailoutbox} >= {guest.email}
