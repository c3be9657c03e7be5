"""A worker pinned to chosen marketplaces (`run_worker --tenants …`), for big ones."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from django_tenants.utils import tenant_context

from shared_apps.core.tests.worker_tasks import where_am_i
from shared_apps.queues.selectors import queue_depths
from shared_apps.queues.services import purge_tenant_queue
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_delete, tenant_provision
from tests.support.concurrency import in_thread
from tests.support.workers import ROOT, Worker, worker_env

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def pinned(marketplaces, tmp_path):
    worker = Worker("pinned", "--tenants=alpha", "--no-platform", log_dir=tmp_path)
    worker.wait_ready()
    yield worker
    worker.stop()
    for slug in marketplaces:
        purge_tenant_queue(slug)


def test_a_pinned_worker_serves_only_its_marketplaces(pinned, alpha, bravo):
    with tenant_context(alpha.tenant):
        for_alpha = where_am_i.delay()
    with tenant_context(bravo.tenant):
        where_am_i.delay()

    assert for_alpha.get(timeout=20) == "alpha"
    time.sleep(1)
    assert queue_depths(["bravo"]) == {"bravo": 1}  # left for the other workers


def test_a_pinned_worker_does_not_follow_new_marketplaces(pinned, marketplaces):
    # An existing identity as admin: no invite email, so the only task is the one sent below.
    in_thread(lambda: tenant_provision(name="Echo", slug="echo", admin_email="admin@alpha.test"))
    try:
        echo = Tenant.objects.get(schema_name="echo")
        with tenant_context(echo):
            where_am_i.delay()
        time.sleep(3)  # longer than the sync period: it had every chance to add the queue

        assert queue_depths(["echo"]) == {"echo": 1}
        assert "tenant.echo" not in pinned.output()
    finally:
        in_thread(
            lambda: tenant_delete(
                tenant=Tenant.objects.get(schema_name="echo"), confirm_slug="echo"
            )
        )


def test_pinning_an_unknown_marketplace_is_refused(marketplaces):
    result = subprocess.run(  # noqa: S603  (our own manage.py)
        [sys.executable, "manage.py", "run_worker", "--tenants=alpha,nowhere"],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "No marketplace has the slug(s): nowhere" in result.stderr
