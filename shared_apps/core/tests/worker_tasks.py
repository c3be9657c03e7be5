"""Tasks the worker tests send. Imported by the test worker with `run_worker --include`."""

import time
import uuid

from django.db import connection

from shared_apps.core.models import TaskReceipt
from shared_apps.core.tasks import marketplace_task, run_once


@marketplace_task(name="tests.where_am_i")
def where_am_i() -> str:
    return connection.schema_name


@marketplace_task(name="tests.nap")
def nap(seconds: float) -> str:
    time.sleep(seconds)
    return connection.schema_name


@marketplace_task(name="tests.effect_once")
def effect_once(key: str, sleep_before: float = 0, sleep_after: float = 0) -> bool:
    """An effect (a row written) that must happen once however often the task runs."""
    time.sleep(sleep_before)
    with run_once(key, task_name="tests.effect_once") as first:
        if first:
            TaskReceipt.objects.create(
                schema_name=connection.schema_name, key=f"effect:{key}:{uuid.uuid4()}"
            )
    time.sleep(sleep_after)  # still unacknowledged here: a kill now means redelivery
    return first


@marketplace_task(name="tests.say")
def say(words: str) -> str:
    """Logs a line (the logging tests read it back from the worker's output)."""
    import logging

    logging.getLogger("tests.say").warning("saying %s", words)
    return words
