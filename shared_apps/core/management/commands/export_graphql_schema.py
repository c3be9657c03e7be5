"""Writes the marketplace GraphQL schema (SDL) to schema.graphql, or checks it is current.

python manage.py export_graphql_schema           # writes schema.graphql
python manage.py export_graphql_schema --check   # exits 1 when the file is stale
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEFAULT_PATH = Path(settings.BASE_DIR) / "schema.graphql"


def schema_sdl() -> str:
    from config.graphql import schema

    return str(schema).rstrip("\n") + "\n"


class Command(BaseCommand):
    help = "Export the GraphQL schema to schema.graphql (or --check that it is current)."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(DEFAULT_PATH), help="Where to write it.")
        parser.add_argument(
            "--check", action="store_true", help="Fail if the file differs from the schema."
        )

    def handle(self, *args, out: str, check: bool, **options):
        path, sdl = Path(out), schema_sdl()
        if check:
            if not path.exists() or path.read_text() != sdl:
                raise CommandError(
                    f"{path} is not the current schema. Run: manage.py export_graphql_schema"
                )
            self.stdout.write(f"{path} is current.")
            return
        path.write_text(sdl)
        self.stdout.write(f"Wrote {path} ({len(sdl.splitlines())} lines).")
