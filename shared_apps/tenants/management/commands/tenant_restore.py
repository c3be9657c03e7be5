from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shared_apps.core.errors import ApplicationError
from shared_apps.tenants.restores import tenant_restore


class Command(BaseCommand):
    help = (
        "Restores a marketplace archive (from tenant_backup or a deletion) as a new "
        "marketplace: under its own slug, or --as another one. Never changes another "
        "marketplace; users already on the platform are reused as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive (.tar.gz)")
        parser.add_argument("--as", dest="slug", default=None, help="restore under this slug")

    def handle(self, *args, file, slug, **options):
        try:
            result = tenant_restore(path=Path(file), slug=slug)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        except Exception as exc:  # the restore is one transaction: nothing was changed
            raise CommandError(f"Restore failed, nothing was changed: {exc}") from exc
        tenant = result.tenant
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {tenant.schema_name} ({tenant.name}): {result.users_created} users "
                f"created, {result.users_reused} already here, {result.media_files} media files"
                + (", migrated forward" if result.migrated_forward else "")
            )
        )
        for domain in result.domains_skipped:
            self.stderr.write(f"  domain {domain} serves another marketplace: left out")
