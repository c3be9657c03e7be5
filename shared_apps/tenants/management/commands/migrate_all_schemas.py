import os
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from shared_apps.tenants import migrating
from shared_apps.tenants.pool import pool_refill


class Command(BaseCommand):
    help = (
        "Migrates the public schema, then every marketplace schema that is behind the code "
        "(skipping current ones by their stored fingerprint), in parallel processes, going on "
        "past failures; then refreshes the pool of spare schemas. Exits non-zero if any "
        "schema failed; a re-run picks up only what is left."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--processes",
            type=int,
            default=getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", None)
            or os.cpu_count()
            or 2,
            help="parallel processes (default: TENANT_MULTIPROCESSING_MAX_PROCESSES or CPUs)",
        )
        parser.add_argument(
            "--canary",
            type=int,
            default=0,
            metavar="N",
            help="migrate N schemas first and stop (non-zero) if any of them fails",
        )
        parser.add_argument(
            "--schemas", default="", help="only these marketplaces (comma-separated slugs)"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="ignore stored fingerprints: let Django check every schema",
        )
        parser.add_argument("--skip-public", action="store_true", help="leave public alone")
        parser.add_argument(
            "--skip-pool", action="store_true", help="don't refresh the spare schema pool"
        )
        parser.add_argument("--noinput", "--no-input", action="store_true", help="(no prompts)")

    def handle(self, *args, **options):
        started = time.perf_counter()
        only = [s.strip() for s in options["schemas"].split(",") if s.strip()] or None
        try:
            with migrating.run_lock():
                if not options["skip_public"]:
                    self._migrate_public(options["force"])
                failures = self._migrate_tenants(only=only, **options)
                if failures:
                    self._report_failures(failures)
                if not options["skip_pool"]:
                    report = pool_refill()
                    self.stdout.write(
                        f"spare schema pool: {report.spares} ready "
                        f"({report.spares_made} made, {len(report.dropped)} stale dropped)"
                    )
        except migrating.MigrationRunBusy as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"done in {time.perf_counter() - started:.1f}s"))

    def _migrate_public(self, force: bool) -> None:
        if not force and migrating.public_is_current():
            self.stdout.write("public: up to date")
            return
        self.stdout.write("public: migrating")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        self.stdout.write("public: migrated")

    def _migrate_tenants(self, *, only, processes, canary, force, **_options):
        plan = migrating.plan(only=only, force=force)
        if only:
            unknown = sorted(set(only) - set(plan.todo) - set(plan.current))
            if unknown:
                raise CommandError(f"No marketplace has the slug(s): {', '.join(unknown)}")
        total = len(plan.todo) + len(plan.current)
        self.stdout.write(
            f"{total} marketplace schemas: {len(plan.current)} up to date (skipped), "
            f"{len(plan.todo)} to migrate with {processes} processes"
        )
        if not plan.todo:
            return []
        waves = [plan.todo]
        if canary and canary < len(plan.todo):
            waves = [plan.todo[:canary], plan.todo[canary:]]
        failures = []
        progress = migrating.Progress(len(plan.todo), stream=self.stderr._out)
        for number, wave in enumerate(waves):
            if canary and number == 0:
                self.stdout.write(f"canary: {len(wave)} schemas first")
            results = migrating.migrate_many(
                wave, processes=processes, on_result=lambda r: self._show(r, progress)
            )
            failures += [r for r in results if not r.ok]
            if canary and number == 0 and failures:
                progress.finish()
                left = len(plan.todo) - len(wave)
                self.stderr.write(
                    f"canary failed: {len(failures)} of {len(wave)} schemas; the other "
                    f"{left} were not touched."
                )
                return failures
        progress.finish()
        migrated = len(plan.todo) - len(failures)
        self.stdout.write(
            f"migrated {migrated}, failed {len(failures)}, skipped {len(plan.current)}"
        )
        return failures

    def _show(self, result: migrating.SchemaResult, progress: migrating.Progress) -> None:
        progress.clear()
        if result.ok:
            self.stdout.write(
                f"  ok      {result.schema}  {result.applied} applied  {result.seconds:.2f}s"
            )
        else:
            self.stdout.write(self.style.ERROR(f"  FAILED  {result.schema}  {result.error}"))
        self.stdout.flush()
        progress.advance()

    def _report_failures(self, failures):
        lines = [f"{len(failures)} schema(s) failed to migrate:"]
        lines += [f"  {r.schema}: {r.error}" for r in sorted(failures, key=lambda r: r.schema)]
        lines.append("Fix the cause and run the command again: only what is left will run.")
        raise CommandError("\n".join(lines))
