from django.db import migrations

from tenant_apps.listings.constants import DEFAULT_AMENITIES


def seed(apps, schema_editor):
    Amenity = apps.get_model("listings", "Amenity")
    for code, name in DEFAULT_AMENITIES:
        Amenity.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("listings", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
