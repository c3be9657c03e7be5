from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.celery import app
from shared_apps.queues.routing import served_queues
from shared_apps.tenants.selectors import marketplace_tenants


class Command(BaseCommand):
    help = (
        "Runs a Celery worker consuming every active marketplace's queue plus `platform`, "
        "following marketplaces as they are provisioned, suspended or deleted. "
        "--tenants pins it to some marketplaces instead (for big ones)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenants", help="comma-separated slugs to serve only")
        parser.add_argument("--no-platform", action="store_true", help="skip the platform queue")
        parser.add_argument("--concurrency", type=int, default=None)
        parser.add_argument("--pool", default="prefork")
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument("--hostname", default=None)
        parser.add_argument(
            "--include", default=None, help="extra task modules to import (comma-separated)"
        )

    def handle(self, *args, **opts):
        tenants, no_platform = opts["tenants"], opts["no_platform"]
        pinned = None
        if tenants:
            pinned = [slug.strip() for slug in tenants.split(",") if slug.strip()]
            known = set(
                marketplace_tenants()
                .filter(schema_name__in=pinned)
                .values_list("schema_name", flat=True)
            )
            if unknown := sorted(set(pinned) - known):
                raise CommandError(f"No marketplace has the slug(s): {', '.join(unknown)}")
        app.conf.worker_follow_marketplaces = True
        app.conf.worker_pinned_tenants = pinned
        app.conf.worker_platform_queue = not no_platform
        # A queue the worker starts consuming (woken by a publish) is named in its next
        # BRPOP; an idle worker's BRPOP returns after this long (kombu's default is 1 s).
        app.conf.broker_transport_options = {
            **app.conf.broker_transport_options,
            "polling_interval": settings.QUEUE_POLL_SECONDS,
        }
        # The worker starts on the platform queue (or its first marketplace's) and then
        # consumes each marketplace queue it serves while that queue holds tasks.
        queues = served_queues(pinned=pinned, platform=not no_platform)[:1]
        if not queues:
            raise CommandError("Nothing to consume: no platform queue and no marketplace.")
        argv = ["worker", f"--loglevel={opts['loglevel']}", f"--pool={opts['pool']}"]
        argv += ["-Q", ",".join(queues)]
        for option in ("concurrency", "hostname", "include"):
            if opts[option]:
                argv.append(f"--{option}={opts[option]}")
        app.worker_main(argv)
