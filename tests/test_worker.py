"""Background work with real worker processes, the real Redis and the test database."""

from __future__ import annotations

import time

import pytest
from django_tenants.utils import tenant_context

from config.celery import app
from shared_apps.core.tests.worker_tasks import nap, where_am_i
from shared_apps.queues.selectors import queue_depths
from shared_apps.queues.services import purge_tenant_queue
from shared_apps.queues.worker import live_workers
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import (
    tenant_delete,
    tenant_provision,
    tenant_resume,
    tenant_suspend,
)
from tests.support.concurrency import in_thread
from tests.support.workers import Worker, wait_for

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(scope="module")
def worker_logs(tmp_path_factory):
    return tmp_path_factory.mktemp("workers")


@pytest.fixture(scope="module")
def worker(marketplaces, worker_logs):
    """One worker for the module (starting one takes seconds); the kill test starts its own."""
    # No periodic re-read during the module: following new, suspended and resumed
    # marketplaces must come from the broadcast their services send.
    started = Worker("follower", log_dir=worker_logs, env={"QUEUE_SYNC_SECONDS": "3600"})
    started.wait_ready()
    yield started
    started.stop()


@pytest.fixture(autouse=True)
def _empty_queues(marketplaces):
    yield
    for slug in marketplaces:
        purge_tenant_queue(slug)


def test_a_task_runs_in_the_schema_of_the_marketplace_that_sent_it(worker, alpha, bravo):
    with tenant_context(alpha.tenant):
        from_alpha = where_am_i.delay()
    with tenant_context(bravo.tenant):
        from_bravo = where_am_i.delay()

    assert from_alpha.get(timeout=20) == "alpha"
    assert from_bravo.get(timeout=20) == "bravo"


def test_the_worker_reports_itself_alive(worker, api):
    assert live_workers() >= 1
    body = api("127.0.0.1").get("/healthz").json()
    assert body["checks"]["workers"].startswith("ok")


def test_a_new_marketplace_is_served_without_restarting_the_worker(worker, marketplaces):
    # Given a worker that started before the marketplace existed
    in_thread(lambda: tenant_provision(name="Delta", slug="delta", admin_email="owner@delta.test"))
    try:
        # When a task is sent for the new marketplace
        delta = Tenant.objects.get(schema_name="delta")
        with tenant_context(delta):
            result = where_am_i.delay()

        # Then the running worker picks it up, in the new schema
        assert result.get(timeout=20) == "delta"
        assert "Started consuming from tenant.delta" in worker.output()
    finally:
        in_thread(
            lambda: tenant_delete(
                tenant=Tenant.objects.get(schema_name="delta"), confirm_slug="delta"
            )
        )


def test_a_suspended_marketplaces_tasks_wait_until_it_resumes(worker, bravo):
    in_thread(lambda: tenant_suspend(tenant=bravo.tenant))
    try:
        wait_for(lambda: "-['tenant.bravo']" in worker.output())  # it stopped serving bravo
        with tenant_context(bravo.tenant):
            result = where_am_i.delay()
        time.sleep(2)
        assert queue_depths(["bravo"]) == {"bravo": 1}  # waiting, not consumed
    finally:
        in_thread(lambda: tenant_resume(tenant=Tenant.objects.get(schema_name="bravo")))

    assert result.get(timeout=20) == "bravo"


def test_one_marketplaces_backlog_does_not_starve_another(worker, alpha, bravo):
    # Given alpha has a backlog of 2,000 tasks
    with tenant_context(alpha.tenant):
        for _ in range(2000):
            nap.delay(0.002)

    # When bravo sends one task
    with tenant_context(bravo.tenant):
        sent = time.monotonic()
        result = nap.delay(0)
        assert result.get(timeout=30) == "bravo"
    waited = time.monotonic() - sent

    # Then it finished while alpha's backlog was still draining
    backlog_left = queue_depths(["alpha"])["alpha"]
    assert backlog_left > 500, f"bravo waited {waited:.2f}s; alpha had {backlog_left} left"


def test_a_task_for_a_deleted_marketplace_is_dropped_not_retried(worker, alpha):
    # A message for a marketplace that no longer exists (it was deleted after sending)
    result = app.send_task(
        "tests.where_am_i", headers={"_schema_name": "ghost-town"}, queue="tenant.alpha"
    )

    wait_for(
        lambda: "dropping tests.where_am_i for deleted marketplace ghost-town" in worker.output()
    )
    time.sleep(1)
    assert queue_depths(["alpha"]) == {"alpha": 0}
    assert result.state == "PENDING"  # ignored: no result, no retry
    assert worker.output().count("ghost-town") == 1


def test_a_task_logs_with_its_marketplace_and_the_request_that_sent_it(worker, alpha, api):
    from shared_apps.core.logging import request_id_var, user_var
    from shared_apps.core.tests.worker_tasks import say

    request_token, user_token = request_id_var.set("req-from-web"), user_var.set("user-42")
    try:
        with tenant_context(alpha.tenant):
            result = say.delay("hello from alpha")
    finally:
        request_id_var.reset(request_token)
        user_var.reset(user_token)

    assert result.get(timeout=20) == "hello from alpha"
    line = next(x for x in worker.output().splitlines() if "saying hello from alpha" in x)
    assert "[alpha req-from-web user-42] tests.say" in line
