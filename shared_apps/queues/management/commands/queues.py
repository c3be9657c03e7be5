"""`manage.py queues`: every worker, the queues it serves (idle ones included), and depths."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand

from config.celery import app
from shared_apps.core.broker import broker_key, broker_redis
from shared_apps.queues.routing import served_queues
from shared_apps.queues.selectors import queue_lengths
from shared_apps.queues.worker import HEARTBEAT_KEY, HEARTBEAT_SECONDS


def workers_report(timeout: float) -> dict:
    """What each worker answered to `marketplace_queues`, the depth of every queue of the
    deployment, the queues no worker serves, and workers with a heartbeat but no answer."""
    replies = app.control.inspect(timeout=timeout)._request("marketplace_queues") or {}
    deployment = served_queues()  # platform + every active marketplace
    named = {q for reply in replies.values() for q in reply["serves"] + reply["consuming"]}
    depths = queue_lengths(sorted(set(deployment) | named))
    beating = {
        name.decode() if isinstance(name, bytes) else name
        for name in broker_redis().zrangebyscore(
            broker_key(HEARTBEAT_KEY), time.time() - 3 * HEARTBEAT_SECONDS, "+inf"
        )
    }
    served_anywhere = {q for reply in replies.values() for q in reply["serves"]}
    return {
        "workers": {name: replies[name] for name in sorted(replies)},
        "depths": depths,
        "unserved": sorted(set(deployment) - served_anywhere),
        "silent_workers": sorted(beating - set(replies)),
    }


class Command(BaseCommand):
    help = (
        "Lists every running worker, the queues it serves (idle ones included, which "
        "`celery inspect active_queues` doesn't show) and each queue's depth."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=2.0, help="seconds to wait")
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, **opts):
        report = workers_report(opts["timeout"])
        if opts["json"]:
            self.stdout.write(json.dumps(report, indent=1))
            return
        depths = report["depths"]
        if not report["workers"]:
            self.stdout.write("No worker answered.")
        for name, reply in report["workers"].items():
            if not reply["follows"]:
                kind = "fixed queues (-Q)"
            elif reply["pinned"] is not None:
                kind = f"pinned to {', '.join(reply['pinned'])}"
            else:
                kind = "follows every marketplace"
            consuming = set(reply["consuming"])
            self.stdout.write(f"{name}  ({kind}; serves {len(reply['serves'])} queues)")
            self.stdout.write(f"  {'queue':<40} {'depth':>7}  state")
            for queue in reply["serves"]:
                state = "consuming" if queue in consuming else "idle"
                if queue in reply["held"]:
                    state += ", held (add_consumer)"
                self.stdout.write(f"  {queue:<40} {depths.get(queue, 0):>7}  {state}")
            for queue in reply["cancelled"]:
                self.stdout.write(
                    f"  {queue:<40} {depths.get(queue, 0):>7}  cancelled (cancel_consumer)"
                )
        if report["unserved"]:
            self.stdout.write("Queues no worker serves:")
            for queue in report["unserved"]:
                self.stdout.write(f"  {queue:<40} {depths.get(queue, 0):>7}")
        if report["silent_workers"]:
            self.stdout.write(
                "Workers with a recent heartbeat that did not answer: "
                + ", ".join(report["silent_workers"])
            )
