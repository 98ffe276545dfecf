from django.db import migrations


def totals_from_the_books(apps, schema_editor):
    """Books kept before the running totals got theirs here from their entries, charges, payments and settlements.

    The rebuild is now 0015's, once the tables a later migration added (FeeMonthTotal, HouseholdTotal's
    open_charges) exist: the application's rebuild (ledger.totals) writes today's models, which this schema lacks.
    """


class Migration(migrations.Migration):
    dependencies = [("ledger", "0012_running_totals")]

    operations = [migrations.RunPython(totals_from_the_books, migrations.RunPython.noop)]
