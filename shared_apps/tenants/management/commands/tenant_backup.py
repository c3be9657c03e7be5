from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shared_apps.core.errors import ApplicationError
from shared_apps.tenants.backups import tenant_backup
from shared_apps.tenants.selectors import tenant_get


class Command(BaseCommand):
    help = (
        "Writes one marketplace into one archive: its schema (pg_dump) and its rows of the "
        "public schema (tenant, domains, memberships, the users they need), and its media files "
        "(photos)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("file", help="the archive to write (.tar.gz)")

    def handle(self, *args, slug, file, **options):
        tenant = tenant_get(slug=slug)
        if tenant is None:
            raise CommandError(f"No marketplace has the slug {slug!r}.")
        path = Path(file)
        if path.is_dir():
            raise CommandError(f"{path} is a directory; give the archive's file name.")
        try:
            result = tenant_backup(tenant=tenant, path=path)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        except Exception as exc:  # pg_dump missing or failing: say so, exit non-zero
            raise CommandError(f"Backup of {slug} failed: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {slug} to {result.path} ({result.bytes / 1024:.0f} KiB, "
                f"{result.users} users, {result.media_files} media files)"
            )
        )
