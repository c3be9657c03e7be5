"""Task events for Flower, switched on by a setting (CELERY_TASK_EVENTS). In a module of its
own: no other worker may be running, or it could take the task and send no events."""

from __future__ import annotations

import threading
import time

import pytest
from django_tenants.utils import tenant_context

from config.celery import app
from shared_apps.core.tests.worker_tasks import where_am_i
from tests.support.workers import Worker

pytestmark = pytest.mark.django_db(transaction=False)


def test_task_events_for_flower_are_a_setting(marketplaces, alpha, tmp_path):
    watched = Worker("events", log_dir=tmp_path, env={"CELERY_TASK_EVENTS": "true"})
    seen: list[str] = []

    def listen() -> None:  # what Flower does: capture the event stream
        with app.connection_for_read() as conn:
            receiver = app.events.Receiver(conn, handlers={"*": on_event})
            listen.receiver = receiver
            receiver.capture(limit=None, timeout=None, wakeup=False)

    def on_event(event) -> None:
        seen.append(event["type"])
        if event["type"] == "task-succeeded":
            listen.receiver.should_stop = True

    listener = threading.Thread(target=listen, daemon=True)
    try:
        watched.wait_ready()
        listener.start()
        time.sleep(1)  # the listener is bound before the task runs
        with tenant_context(alpha.tenant):
            assert where_am_i.delay().get(timeout=20) == "alpha"
        listener.join(timeout=15)
    finally:
        watched.stop()

    assert "task events: ON" in watched.output()
    assert "task-succeeded" in seen
