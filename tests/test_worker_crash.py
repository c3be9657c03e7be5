"""A worker killed mid-task (SIGKILL to it and its pool): the task runs again on another
worker, and its effect happens exactly once."""

from __future__ import annotations

import uuid

import pytest
from django_tenants.utils import tenant_context

from shared_apps.core.broker import broker_key, broker_redis
from shared_apps.core.models import TaskReceipt
from shared_apps.core.tests.worker_tasks import effect_once
from tests.support.workers import Worker, wait_for

pytestmark = pytest.mark.django_db(transaction=False)


def _receipts(key: str) -> tuple[int, int]:
    """(receipts, effects) committed for a run_once key."""
    return (
        TaskReceipt.objects.filter(key=key).count(),
        TaskReceipt.objects.filter(key__startswith=f"effect:{key}:").count(),
    )


@pytest.mark.parametrize("phase", ["before the effect", "after the effect, before the ack"])
def test_killing_a_worker_mid_task_loses_nothing_and_duplicates_nothing(
    marketplaces, alpha, tmp_path, phase
):
    key = f"kill-{uuid.uuid4()}"
    sleep = {"sleep_before": 3} if phase == "before the effect" else {"sleep_after": 3}
    doomed = Worker(f"doomed-{key}", log_dir=tmp_path)
    survivor = None
    try:
        doomed.wait_ready()
        with tenant_context(alpha.tenant):
            result = effect_once.delay(key, **sleep)
        wait_for(lambda: f"effect_once[{result.id}] received" in doomed.output())
        if phase != "before the effect":
            wait_for(lambda: _receipts(key) == (1, 1))  # the effect committed, the ack not yet

        doomed.kill()
        survivor = Worker(f"survivor-{key}", log_dir=tmp_path)
        survivor.wait_ready()
        ran_again = result.get(timeout=40)
    finally:
        doomed.stop()
        if survivor is not None:
            survivor.stop()

    assert _receipts(key) == (1, 1)  # exactly one effect
    assert ran_again is (phase == "before the effect")  # the rerun did the work only if needed
    assert broker_redis().hlen(broker_key("unacked")) == 0
