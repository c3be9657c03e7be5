"""A tenant migration the code "gains", for tests of migrating and restoring schemas."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import tenant_apps.storefront.migrations as storefront_migrations

PROBE_MIGRATION = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("storefront", "{leaf}")]
    operations = [
        migrations.RunSQL("CREATE TABLE storefront_probe (id int)", "DROP TABLE storefront_probe")
    ]
"""
PACKAGE = "gained_storefront_migrations"


def storefront_gains_a_migration(directory: Path) -> str:
    """Writes, under `directory` (put on sys.path), a migrations package for the storefront
    app: its real migrations, whatever they are today, plus one that creates the table
    `storefront_probe`. Returns the package's name for MIGRATION_MODULES."""
    package = directory / PACKAGE
    if not package.exists():
        shutil.copytree(
            Path(storefront_migrations.__file__).parent,
            package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        leaf = max(path.stem for path in package.glob("[0-9]*.py"))
        (package / "9999_probe.py").write_text(PROBE_MIGRATION.format(leaf=leaf))
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    return PACKAGE
