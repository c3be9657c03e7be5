"""Rewrites the generated parts of docs/database.md (ERDs from the models, the index and
constraint inventory from PostgreSQL's catalog), or checks they are current.

python manage.py export_database_docs           # rewrites them
python manage.py export_database_docs --check   # exits 1 when the file is stale
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shared_apps.tenants.dbdocs import generated_sections, render

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "database.md"


class Command(BaseCommand):
    help = "Regenerate docs/database.md's ERDs and index inventory (or --check them)."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(DEFAULT_PATH), help="The document to update.")
        parser.add_argument("--check", action="store_true", help="Fail if it is stale.")

    def handle(self, *args, out: str, check: bool, **options):
        path = Path(out)
        current = path.read_text()
        try:
            wanted = render(current, generated_sections())
        except (ValueError, LookupError) as exc:
            raise CommandError(str(exc)) from exc
        if check:
            if wanted != current:
                raise CommandError(
                    f"{path} is stale (the models or migrations changed). "
                    "Run: manage.py export_database_docs"
                )
            self.stdout.write(f"{path} is current.")
            return
        path.write_text(wanted)
        self.stdout.write(f"Updated {path}.")
