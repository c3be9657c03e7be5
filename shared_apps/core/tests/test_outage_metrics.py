"""/metrics counts what an outage cost: cache calls answered as misses, rate-limit checks
that failed closed (503) or open, outbox messages the broker refused and the sweep's
retries, and the outbox's waiting messages. Redis is made unreachable by pointing at a port
nobody listens on; the shared Redis is never touched."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from django.core.cache import caches
from django_tenants.utils import tenant_context

from shared_apps.core import degraded
from shared_apps.core.models import OutboxMessage
from shared_apps.core.outbox import outbox_sweep, publish_after_commit
from shared_apps.core.tests.test_metrics import scrape, value
from shared_apps.core.tests.worker_tasks import where_am_i
from tests.support.redis_server import celery_broker, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def metrics_client(api):
    return api("10.0.0.7:8000")


def _redis_unreachable(settings):
    """Every cache alias (the cache and the throttles) on a port nobody listens on; returns
    the settings to put back."""
    saved = settings.CACHES
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {
        name: {**alias, "LOCATION": nobody} for name, alias in copy.deepcopy(saved).items()
    }
    degraded.reset()
    return saved


def test_cache_errors_answered_as_misses_are_counted(alpha, metrics_client, settings):
    before = scrape(metrics_client)
    saved = _redis_unreachable(settings)

    with tenant_context(alpha.tenant):
        answers = [caches["default"].get(f"probe-{n}", "miss") for n in range(3)]
    settings.CACHES = saved  # the scrape itself reads Redis
    after = scrape(metrics_client)

    assert answers == ["miss"] * 3
    assert (
        value(after, "rental_cache_errors_total") == value(before, "rental_cache_errors_total") + 3
    )


def test_throttle_checks_without_redis_are_counted_by_what_the_request_got(
    api, alpha, guest, metrics_client, settings
):
    before = scrape(metrics_client)
    saved = _redis_unreachable(settings)

    login = api(alpha.host).post(
        "/api/v1/auth/token", {"email": guest.email, "password": "not the password"}
    )
    search = api(alpha.host).get("/api/v1/properties")
    settings.CACHES = saved
    after = scrape(metrics_client)

    assert login.status_code == 503  # credentials fail closed
    assert search.status_code == 200
    name = "rental_throttle_unavailable_total"
    assert value(after, name, outcome="refused") == value(before, name, outcome="refused") + 1


def test_outbox_publish_failures_retries_and_waiting_messages_are_counted(
    alpha, metrics_client, django_capture_on_commit_callbacks
):
    from config.celery import app

    before = scrape(metrics_client)
    nobody = f"redis://127.0.0.1:{free_port()}/0"

    with (
        celery_broker(nobody),
        tenant_context(alpha.tenant),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = publish_after_commit(where_am_i)
    waiting = scrape(metrics_client)
    app.conf.task_always_eager = True  # the broker is back: a worker runs what it gets
    try:
        assert outbox_sweep(older_than=timedelta(0)) >= 1
    finally:
        app.conf.task_always_eager = False
    after = scrape(metrics_client)

    failures, published = "rental_outbox_publish_failures_total", "rental_outbox_published_total"
    assert value(waiting, failures, via="relay") == value(before, failures, via="relay") + 1
    assert value(waiting, "rental_outbox_unsent_messages") >= 1
    assert value(waiting, "rental_outbox_oldest_unsent_age_seconds") >= 0
    assert value(waiting, "rental_metrics_source_up", source="outbox") == 1
    assert value(after, published, via="sweep") >= value(before, published, via="sweep") + 1
    assert OutboxMessage.objects.get(pk=message.pk).sent_at is not None
