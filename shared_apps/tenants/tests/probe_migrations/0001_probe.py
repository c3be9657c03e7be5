"""A tenant migration the code "gains" in the migration tests (MIGRATION_MODULES points the
storefront app, which has no migrations of its own, here)."""

from django.db import migrations


class Migration(migrations.Migration):
    operations = [
        migrations.RunSQL("CREATE TABLE storefront_probe (id int)", "DROP TABLE storefront_probe")
    ]
