"""Races against the real database, from separate threads (each with its own connection
and its own committed transactions)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_together(calls: list[Callable[[], object]]) -> list[object]:
    """Runs the calls at the same moment, one thread each; returns results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the race's loser: reported, not raised in the thread
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:  # most often a lock held by the test's own open transaction
        raise TimeoutError(f"{stuck} of {len(threads)} threads still running after 120 s")
    return results


def in_thread(call: Callable[[], object]) -> object:
    return run_together([call])[0]


def committed(call: Callable[[], object]) -> object:
    """Runs `call` in its own thread and connection, so what it does is committed; its
    exception, if any, is raised here."""
    result = in_thread(call)
    if isinstance(result, Exception):
        raise result
    return result
