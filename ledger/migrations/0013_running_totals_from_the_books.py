from django.db import migrations


def totals_from_the_books(apps, schema_editor):
    """Books kept before the running totals get theirs from their entries, charges, payments and settlements.

    Calls the application's own rebuild (ledger.totals), which reads today's models: were those tables
    changed by a later migration, this one would run the rebuild of that later code on this schema.
    """
    from ledger.totals import totals_rebuild

    totals_rebuild()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0012_running_totals")]

    operations = [migrations.RunPython(totals_from_the_books, migrations.RunPython.noop)]
