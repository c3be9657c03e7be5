"""Queue benchmark: a worker's throughput serving 1, 100 and 1,000 marketplace queues, and
how long marketplace B's task waits behind marketplace A's backlog.

Two schemes, each a real worker (prefork, 2 processes) on the configured Redis under a
private key prefix, with a throw-away database holding the marketplaces' rows:

* all-queues: `celery worker -Q <every marketplace queue>`: each BRPOP names every queue.
* discovery:  `manage.py run_worker` (what the platform runs): it consumes only the queues
  of the marketplaces it serves that hold tasks (shared_apps.core.worker).

Tasks are no-ops, so the broker and the polling are what is measured. Throughput is shown
as a ratio to the 1-queue all-queues case of the same run.

    make bench-queues          # or: .venv/bin/python bench/queues.py [--tasks 3000]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PREFIX = f"bench-{os.getpid()}:"
os.environ["CELERY_KEY_PREFIX"] = PREFIX
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from bench.common import drop_database, use_throwaway_database  # noqa: E402

DATABASE = use_throwaway_database("bench_queues")

import django  # noqa: E402

django.setup()

from bench.tasks import tick  # noqa: E402
from shared_apps.core.queues import broker_key, broker_redis, tenant_queue  # noqa: E402

SLUGS = [f"bench-{i:04d}" for i in range(1000)]


def create_marketplace_rows() -> None:
    """Tenant rows only: the worker reads which marketplaces exist, the no-op tasks never
    touch a schema, so none is made."""
    from django.core.management import call_command

    from shared_apps.tenants.models import Tenant

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    Tenant.objects.bulk_create(Tenant(schema_name=slug, name=slug) for slug in SLUGS)


def start_worker(scheme: str, slugs: list[str]) -> subprocess.Popen:
    queues = [tenant_queue(slug) for slug in slugs]
    common = ["--pool=prefork", "--concurrency=2", "--loglevel=WARNING", "--include=bench.tasks"]
    if scheme == "all-queues":
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", *common]
        command += [f"--hostname=bench-{uuid.uuid4().hex[:6]}@%h", "-Q", ",".join(queues)]
    else:
        command = [sys.executable, "manage.py", "run_worker", "--no-platform", *common]
        command += [f"--hostname=bench-{uuid.uuid4().hex[:6]}@%h", f"--tenants={','.join(slugs)}"]
    worker = subprocess.Popen(  # noqa: S603  (our own worker)
        command, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    # Ready once a probe sent to the last queue comes back.
    probe = broker_key(f"probe-{uuid.uuid4().hex}")
    tick.apply_async((probe,), queue=queues[-1])
    _wait(lambda: int(broker_redis().get(probe) or 0) >= 1, timeout=180)
    return worker


def stop_worker(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)


def _wait(condition, timeout: float) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise TimeoutError("the worker did not keep up")
        time.sleep(0.005)
    return time.monotonic() - started


def _counter() -> str:
    return broker_key(f"count-{uuid.uuid4().hex}")


def _count(key: str) -> int:
    return int(broker_redis().get(key) or 0)


def throughput(scheme: str, queue_count: int, tasks: int, *, spread: bool) -> float:
    """Tasks per second with `queue_count` marketplace queues served; the tasks spread over
    all of them, or all in one (one busy marketplace among idle ones)."""
    slugs = SLUGS[:queue_count]
    worker = start_worker(scheme, slugs)
    try:
        counter = _counter()
        started = time.monotonic()
        for n in range(tasks):
            queue = tenant_queue(slugs[n % queue_count if spread else 0])
            tick.apply_async((counter,), queue=queue)
        _wait(lambda: _count(counter) >= tasks, timeout=900)
        return tasks / (time.monotonic() - started)
    finally:
        stop_worker(worker)


def wait_behind_backlog(scheme: str, queue_count: int, backlog: int) -> tuple[float, int]:
    """Seconds B's task waits while A's queue holds `backlog` tasks, and what A has left."""
    slugs = SLUGS[: max(queue_count, 2)]
    worker = start_worker(scheme, slugs)
    try:
        a_counter, b_counter = _counter(), _counter()
        for _ in range(backlog):
            tick.apply_async((a_counter,), queue=tenant_queue(slugs[0]))
        tick.apply_async((b_counter,), queue=tenant_queue(slugs[1]))
        waited = _wait(lambda: _count(b_counter) >= 1, timeout=120)
        left = broker_redis().llen(broker_key(tenant_queue(slugs[0])))
        _wait(lambda: _count(a_counter) >= backlog, timeout=900)
        return waited, left
    finally:
        stop_worker(worker)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    quick = os.environ.get("BENCH_QUICK") == "1"  # make bench's smoke test: tiny data
    parser.add_argument("--tasks", type=int, default=100 if quick else 3000)
    parser.add_argument("--backlog", type=int, default=100 if quick else 2000)
    args = parser.parse_args()
    try:
        create_marketplace_rows()
        print(f"Worker: prefork, 2 processes; {args.tasks} no-op tasks per case.")
        baseline = throughput("all-queues", 1, args.tasks, spread=False)
        print(f"{'scheme':<11} {'queues':>6} {'one busy queue':>22} {'tasks over all queues':>24}")
        for scheme in ("all-queues", "discovery"):
            for count in (1, 100, 1000):
                one = throughput(scheme, count, args.tasks, spread=False)
                spread = throughput(scheme, count, args.tasks, spread=True)
                print(
                    f"{scheme:<11} {count:>6} {one:>10.0f}/s ({one / baseline:4.2f}x) "
                    f"{spread:>12.0f}/s ({spread / baseline:4.2f}x)"
                )
        print(f"(ratios against all-queues with 1 queue in the same run: {baseline:.0f}/s)")
        for scheme in ("all-queues", "discovery"):
            for count in (2, 1000):
                waited, left = wait_behind_backlog(scheme, count, args.backlog)
                print(
                    f"{scheme:<11} B behind A's backlog of {args.backlog}, {count} queues: "
                    f"waited {waited:.3f}s, A still had {left} queued"
                )
    finally:
        client = broker_redis()
        keys = list(client.scan_iter(f"{PREFIX}*"))
        if keys:
            client.delete(*keys)
        from django.db import connection

        connection.close()
        drop_database(DATABASE)


if __name__ == "__main__":
    main()
