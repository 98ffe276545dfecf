from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Sessions' neighbours: login rate limits live in this cache and must be
    # shared by every gunicorn worker, so the table is part of the schema.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("estate", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
