"""Celery's queue tooling on a marketplace-following worker: `manage.py queues` shows the
idle queues too, and an operator's add_consumer / cancel_consumer sticks (or is refused
with a log line), never undone by queue discovery or the periodic sync."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from config.celery import app
from shared_apps.core.tests.worker_tasks import where_am_i
from shared_apps.queues.selectors import queue_depths
from shared_apps.queues.services import purge_tenant_queue
from tests.support.workers import ROOT, Worker, wait_for, worker_env

pytestmark = pytest.mark.django_db(transaction=False)

# Longer than the test settings' idle time (3 s) plus a sync period (2 s): discovery and
# the sync had every chance to undo an operator's choice.
SETTLE_SECONDS = 6


@pytest.fixture(scope="module")
def worker(marketplaces, tmp_path_factory):
    started = Worker("controls", log_dir=tmp_path_factory.mktemp("workers"))
    started.wait_ready()
    yield started
    started.stop()


@pytest.fixture(autouse=True)
def _empty_queues(marketplaces):
    yield
    for slug in marketplaces:
        purge_tenant_queue(slug)


def hostname(worker) -> str:
    return wait_for(
        lambda: next(
            (n for n in (app.control.ping(timeout=1) and _names()) if n.startswith("controls@")),
            None,
        )
    )


def _names() -> list[str]:
    return [name for reply in app.control.ping(timeout=1) for name in reply]


def consuming(name: str) -> set[str]:
    reply = app.control.inspect(destination=[name], timeout=2).active_queues() or {}
    return {queue["name"] for queue in reply.get(name, [])}


def release(queue: str, name: str) -> None:
    reply = app.control.broadcast(
        "release_consumer", arguments={"queue": queue}, destination=[name], reply=True
    )
    assert reply == [{name: {"ok": f"{queue} follows discovery again"}}]


def report() -> dict:
    out = StringIO()
    call_command("queues", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_queues_lists_idle_marketplace_queues_with_depths(worker, alpha, bravo):
    name = hostname(worker)
    wait_for(lambda: "tenant.alpha" not in consuming(name), timeout=20)  # alpha goes idle
    with tenant_context(bravo.tenant):
        app.control.cancel_consumer("tenant.bravo", destination=[name], reply=True)
        where_am_i.delay()
    try:
        out = StringIO()
        call_command("queues", stdout=out)
        text = out.getvalue()
    finally:
        release("tenant.bravo", name)

    worker_part, _, unserved_part = text.partition("Queues no worker serves:")
    rows = [line.split() for line in worker_part.splitlines()]
    assert f"{name}  (follows every marketplace" in text
    assert ["platform", "0", "consuming"] in rows
    assert ["tenant.alpha", "0", "idle"] in rows  # idle, yet listed
    assert ["tenant.bravo", "1", "cancelled", "(cancel_consumer)"] in rows
    assert ["tenant.bravo", "1"] in [line.split() for line in unserved_part.splitlines()]


def test_add_consumer_holds_an_idle_queue(worker, alpha):
    name = hostname(worker)
    reply = app.control.add_consumer("tenant.alpha", destination=[name], reply=True)
    try:
        assert reply == [{name: {"ok": "add consumer tenant.alpha (held until cancel_consumer)"}}]
        time.sleep(SETTLE_SECONDS)

        assert "tenant.alpha" in consuming(name)
        assert "add_consumer tenant.alpha: held" in worker.output()
        assert report()["workers"][name]["held"] == ["tenant.alpha"]
    finally:
        release("tenant.alpha", name)
    time.sleep(SETTLE_SECONDS)
    assert "tenant.alpha" not in consuming(name)  # released: idle queues are dropped again


def test_without_add_consumer_an_idle_queue_is_dropped(worker, bravo):
    name = hostname(worker)
    with tenant_context(bravo.tenant):
        assert where_am_i.delay().get(timeout=20) == "bravo"
    time.sleep(SETTLE_SECONDS)

    assert "tenant.bravo" not in consuming(name)  # discovery at work, as designed


def test_cancel_consumer_sticks_while_tasks_wait(worker, alpha):
    name = hostname(worker)
    # Through the command line operators use.
    cancelled = subprocess.run(  # noqa: S603  (celery's own CLI)
        [sys.executable, "-m", "celery", "-A", "config", "control", "cancel_consumer",
         "tenant.alpha", "-d", name],
        cwd=ROOT, env=worker_env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "no longer consuming from tenant.alpha" in cancelled.stdout, cancelled.stderr
    try:
        with tenant_context(alpha.tenant):
            waiting = where_am_i.delay()
        time.sleep(SETTLE_SECONDS)

        assert queue_depths(["alpha"]) == {"alpha": 1}  # busy, and still not consumed
        assert "cancel_consumer tenant.alpha: not consumed" in worker.output()
    finally:
        release("tenant.alpha", name)
    assert waiting.get(timeout=20) == "alpha"  # released: discovery consumes it again


def test_add_consumer_of_a_queue_not_ours_is_refused_with_a_log_line(worker):
    name = hostname(worker)

    unknown = app.control.add_consumer("tenant.nowhere", destination=[name], reply=True)
    foreign = app.control.add_consumer("emails", destination=[name], reply=True)

    assert unknown == [
        {
            name: {
                "error": "add_consumer tenant.nowhere refused: no active marketplace has this queue"
            }
        }
    ]
    assert "refused: not a queue of this deployment" in foreign[0][name]["error"]
    wait_for(lambda: "add_consumer tenant.nowhere refused" in worker.output())
    time.sleep(1)
    assert not {"tenant.nowhere", "emails"} & consuming(name)


def test_task_events_are_off_by_default(worker):
    assert "task events: OFF" in worker.output()
