from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations


class Migration(migrations.Migration):
    """btree_gist lives once, in the public schema (every tenant schema's search path reaches
    it). Created from a tenant migration it would land in the first tenant's schema, and
    dropping that tenant would drop every other tenant's no-double-booking constraint."""

    dependencies = [("core", "0001_initial")]

    operations = [BtreeGistExtension()]
