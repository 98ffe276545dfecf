from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    # The kept figures' table (CACHES["figures"], estate/cached.py), apart from the login limits' table.
    # createcachetable makes every configured database cache table that is missing, and leaves the others.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("estate", "0006_versions")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
