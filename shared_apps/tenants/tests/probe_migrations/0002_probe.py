"""A tenant migration the code "gains" in the migration tests (MIGRATION_MODULES points the
storefront app here: its own migrations, re-exported by 0001_profile, then this one)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("storefront", "0001_profile")]

    operations = [
        migrations.RunSQL("CREATE TABLE storefront_probe (id int)", "DROP TABLE storefront_probe")
    ]
