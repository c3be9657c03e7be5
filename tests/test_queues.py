"""Routing of background tasks to per-marketplace queues (no worker needed: the messages
are read straight from Redis)."""

import pytest
from django_tenants.utils import tenant_context

from shared_apps.core.broker import broker_key, broker_redis
from shared_apps.core.tenancy import TenantRequiredError
from shared_apps.core.tests.worker_tasks import where_am_i
from shared_apps.queues.routing import PLATFORM_QUEUE
from shared_apps.queues.selectors import queue_depths
from shared_apps.queues.services import purge_tenant_queue
from shared_apps.queues.tasks import sync_worker_queues
from shared_apps.tenants.services import tenant_delete


@pytest.fixture(autouse=True)
def _empty_queues(marketplaces):
    for slug in marketplaces:
        purge_tenant_queue(slug)
    yield
    for slug in marketplaces:
        purge_tenant_queue(slug)


def _platform_depth() -> int:
    return broker_redis().llen(broker_key(PLATFORM_QUEUE))


def test_a_task_goes_to_the_queue_of_the_marketplace_that_sent_it(alpha, bravo):
    with tenant_context(alpha.tenant):
        where_am_i.delay()
        where_am_i.delay()
    with tenant_context(bravo.tenant):
        where_am_i.delay()

    assert queue_depths(["alpha", "bravo"]) == {"alpha": 2, "bravo": 1}


def test_a_marketplace_task_sent_with_no_marketplace_fails_loudly(marketplaces, db):
    with pytest.raises(TenantRequiredError, match="sent with none current"):
        where_am_i.delay()

    assert queue_depths(["alpha", "bravo"]) == {"alpha": 0, "bravo": 0}


def test_a_marketplace_task_run_with_no_marketplace_refuses(marketplaces, db):
    result = where_am_i.apply()

    assert result.failed()
    assert isinstance(result.result, TenantRequiredError)


def test_platform_tasks_go_to_the_platform_queue_from_anywhere(alpha):
    before = _platform_depth()

    sync_worker_queues.delay()
    with tenant_context(alpha.tenant):
        sync_worker_queues.delay()

    assert _platform_depth() == before + 2
    assert queue_depths(["alpha"]) == {"alpha": 0}


def test_the_operator_sees_each_marketplaces_queue_depth(api, platform_host, alpha, bravo):
    from shared_apps.accounts.tests.factories import UserFactory

    with tenant_context(alpha.tenant):
        for _ in range(3):
            where_am_i.delay()
    ops = api(platform_host, UserFactory(is_staff=True))

    listing = {
        t["slug"]: t["queue_depth"] for t in ops.get("/api/v1/platform/tenants").json()["results"]
    }
    detail = ops.get("/api/v1/platform/tenants/alpha").json()

    assert listing == {"alpha": 3, "bravo": 0}
    assert detail["queue_depth"] == 3


def test_deleting_a_marketplace_drops_its_waiting_tasks(
    alpha, bravo, django_capture_on_commit_callbacks
):
    with tenant_context(alpha.tenant):
        where_am_i.delay()
    with tenant_context(bravo.tenant):
        where_am_i.delay()

    with django_capture_on_commit_callbacks(execute=True):
        tenant_delete(tenant=alpha.tenant, confirm_slug="alpha")

    assert queue_depths(["alpha", "bravo"]) == {"alpha": 0, "bravo": 1}


def test_beat_dispatch_sends_a_job_into_every_active_marketplaces_queue(alpha, bravo):
    from shared_apps.core.tasks import dispatch_to_marketplaces
    from shared_apps.tenants.services import tenant_suspend

    tenant_suspend(tenant=bravo.tenant)

    sent = dispatch_to_marketplaces.apply(args=("tests.where_am_i",)).get()

    assert sent == 1
    assert queue_depths(["alpha", "bravo"]) == {"alpha": 1, "bravo": 0}


def test_periodic_marketplace_jobs_are_scheduled_per_job(settings):
    from config.celery import _schedule_marketplace_jobs, app

    settings.TENANT_PERIODIC_TASKS = {"bookings.expire_requests": 300}
    _schedule_marketplace_jobs(app)

    entry = app.conf.beat_schedule["every-marketplace:bookings.expire_requests"]
    assert entry["task"] == "core.dispatch_to_marketplaces"
    assert entry["args"] == ("bookings.expire_requests",)
    assert entry["schedule"] == 300
    assert "sync-worker-queues" in app.conf.beat_schedule


def test_the_invite_email_goes_to_the_new_marketplaces_own_queue(
    marketplaces, db, django_capture_on_commit_callbacks
):
    from shared_apps.tenants.services import tenant_provision

    with django_capture_on_commit_callbacks(execute=True):
        tenant_provision(name="Foxtrot", slug="foxtrot", admin_email="owner@foxtrot.test")

    try:
        assert queue_depths(["foxtrot", "alpha", "bravo"]) == {"foxtrot": 1, "alpha": 0, "bravo": 0}
    finally:
        purge_tenant_queue("foxtrot")


def test_a_redelivered_email_task_sends_one_email(alpha, mailoutbox):
    from shared_apps.accounts.tasks import password_email

    # The same message delivered twice (its first worker died after sending): same task id.
    with tenant_context(alpha.tenant):
        first = password_email.apply(
            kwargs={"user_id": str(alpha.admin.pk), "reset": True}, task_id="fixed-id"
        )
        again = password_email.apply(
            kwargs={"user_id": str(alpha.admin.pk), "reset": True}, task_id="fixed-id"
        )

    assert (first.get(), again.get()) == (True, False)
    assert len(mailoutbox) == 1
    assert "Alpha Mountain Stays" in mailoutbox[0].subject
