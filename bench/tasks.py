"""Tasks for the queue benchmark: no database work, so the broker and the worker's polling
are what is measured."""

from shared_apps.core.broker import broker_redis
from shared_apps.core.tasks import platform_task


@platform_task(name="bench.tick")
def tick(counter: str) -> None:
    broker_redis().incr(counter)
