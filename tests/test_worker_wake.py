"""An idle marketplace's first task is taken at once, not at the worker's next discovery:
the publish that makes its queue active wakes the workers (shared_apps.queues.discovery)."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from shared_apps.core.broker import broker_key, broker_redis
from shared_apps.core.tests.worker_tasks import nap
from shared_apps.queues.discovery import ACTIVE_QUEUES_KEY
from shared_apps.queues.selectors import queue_depths
from shared_apps.queues.services import purge_tenant_queue
from tests.support.workers import Worker

pytestmark = pytest.mark.django_db(transaction=False)

# Discovery, the sweep and the sync so rare that only a wake-up can make the worker consume a queue.
NO_DISCOVERY = {
    "QUEUE_DISCOVERY_SECONDS": "3600",
    "QUEUE_SWEEP_SECONDS": "3600",
    "QUEUE_SYNC_SECONDS": "3600",  # the periodic re-read applies discovery too
}


@pytest.fixture
def worker(marketplaces, tmp_path):
    """A fresh worker per test that starts with every marketplace queue idle, so it consumes
    only `platform` (provisioning leaves welcome e-mails queued, which would make it
    consume both marketplaces' queues from the start)."""
    for slug in marketplaces:
        purge_tenant_queue(slug)
    broker_redis().delete(broker_key(ACTIVE_QUEUES_KEY))
    started = Worker("wakeful", log_dir=tmp_path, env=NO_DISCOVERY)
    started.wait_ready()
    assert "Started consuming from tenant." not in started.output()
    yield started
    started.stop()
    for slug in marketplaces:
        purge_tenant_queue(slug)


def test_a_task_for_an_idle_marketplace_is_taken_without_waiting_for_discovery(worker, bravo):
    # Given a worker that looks for busy queues once an hour, and bravo's queue idle
    # When bravo sends a task
    with tenant_context(bravo.tenant):
        result = nap.delay(0)

    # Then the worker runs it (only the wake-up told it bravo's queue holds a task)
    assert result.get(timeout=30) == "bravo"


def test_an_idle_marketplaces_task_overtakes_another_marketplaces_backlog(worker, alpha, bravo):
    # Given alpha has a backlog of 400 tasks, being worked through
    with tenant_context(alpha.tenant):
        backlog = [nap.delay(0.01) for _ in range(400)]
    assert backlog[0].get(timeout=30) == "alpha"

    # When bravo, idle until now, sends one task
    with tenant_context(bravo.tenant):
        result = nap.delay(0)
        assert result.get(timeout=30) == "bravo"

    # Then it ran long before alpha's backlog was through: the worker took bravo's queue
    # into its round-robin as the task was published, not an hour later
    left = queue_depths(["alpha"])["alpha"]
    assert left > 200, f"alpha had only {left} tasks left when bravo's task finished"
