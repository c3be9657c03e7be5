"""Queue benchmark: a worker's throughput consuming 1, 100 and 1,000 marketplace queues,
and how long marketplace B's task waits behind marketplace A's backlog.

Each case starts a real worker (prefork, 2 processes) on the configured Redis under a
private key prefix, enqueues no-op tasks and times the drain. Throughput is shown next to
the 1-queue case of the same run, as a ratio.

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

import django  # noqa: E402

django.setup()

from bench.tasks import tick  # noqa: E402
from shared_apps.core.queues import broker_key, broker_redis, tenant_queue  # noqa: E402


def start_worker(queues: list[str]) -> subprocess.Popen:
    queue_file = ROOT / ".data" / f"bench-queues-{os.getpid()}.txt"
    queue_file.parent.mkdir(exist_ok=True)
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
        "--concurrency=2", "--loglevel=WARNING", "--include=bench.tasks",
        f"--hostname=bench-{uuid.uuid4().hex[:6]}@%h", "-Q", ",".join(queues),
    ]  # fmt: skip
    worker = subprocess.Popen(  # noqa: S603  (our own worker)
        command, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    # Ready once a probe task sent to the last queue comes back.
    probe = f"probe-{uuid.uuid4().hex}"
    tick.apply_async((broker_key(probe),), queue=queues[-1])
    _wait(lambda: int(broker_redis().get(broker_key(probe)) or 0) >= 1, timeout=120)
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
        time.sleep(0.01)
    return time.monotonic() - started


def throughput(queue_count: int, tasks: int, *, spread: bool) -> float:
    """Tasks per second while the worker consumes `queue_count` queues; the tasks are spread
    over all of them, or all in one (many idle marketplaces, one busy)."""
    queues = [tenant_queue(f"bench-{i}") for i in range(queue_count)]
    worker = start_worker(queues)
    try:
        counter = broker_key(f"count-{uuid.uuid4().hex}")
        started = time.monotonic()
        for n in range(tasks):
            tick.apply_async((counter,), queue=queues[n % queue_count if spread else 0])
        _wait(lambda: int(broker_redis().get(counter) or 0) >= tasks, timeout=600)
        return tasks / (time.monotonic() - started)
    finally:
        stop_worker(worker)


def wait_behind_backlog(queue_count: int, backlog: int) -> tuple[float, int]:
    """Seconds B's task waits while A's queue holds `backlog` tasks, and what A has left."""
    queues = [tenant_queue(f"bench-{i}") for i in range(max(queue_count, 2))]
    worker = start_worker(queues)
    try:
        a_counter = broker_key(f"a-{uuid.uuid4().hex}")
        pipe_sent = [tick.apply_async((a_counter,), queue=queues[0]) for _ in range(backlog)]
        b_counter = broker_key(f"b-{uuid.uuid4().hex}")
        tick.apply_async((b_counter,), queue=queues[1])
        waited = _wait(lambda: int(broker_redis().get(b_counter) or 0) >= 1, timeout=120)
        left = broker_redis().llen(broker_key(queues[0]))
        _wait(lambda: int(broker_redis().get(a_counter) or 0) >= len(pipe_sent), timeout=600)
        return waited, left
    finally:
        stop_worker(worker)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--backlog", type=int, default=2000)
    args = parser.parse_args()
    try:
        print(f"Worker: prefork, 2 processes; {args.tasks} no-op tasks per case.")
        baseline = throughput(1, args.tasks, spread=False)
        print(f"{'queues':>7} {'tasks spread over all':>24} {'all tasks in one queue':>24}")
        for count in (1, 100, 1000):
            spread = throughput(count, args.tasks, spread=True)
            one = throughput(count, args.tasks, spread=False)
            print(
                f"{count:>7} {spread:>10.0f}/s ({spread / baseline:4.2f}x) "
                f"{one:>12.0f}/s ({one / baseline:4.2f}x)"
            )
        print(f"(ratios against 1 queue: {baseline:.0f}/s)")
        for count in (2, 1000):
            waited, left = wait_behind_backlog(count, args.backlog)
            print(
                f"B's task behind A's backlog of {args.backlog} ({count} queues): "
                f"waited {waited:.3f}s, A still had {left} queued"
            )
    finally:
        client = broker_redis()
        keys = list(client.scan_iter(f"{PREFIX}*"))
        if keys:
            client.delete(*keys)


if __name__ == "__main__":
    main()
