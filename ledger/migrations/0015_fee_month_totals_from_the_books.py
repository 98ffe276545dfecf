from django.db import migrations


def fee_totals_from_the_books(apps, schema_editor):
    """Every running total written from the books, through the application's own rebuild (ledger.totals): books
    kept before the totals get them all, books kept since get the fee months and the open charges as well."""
    from ledger.totals import totals_rebuild

    totals_rebuild()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0014_fee_month_totals_and_open_charges")]

    operations = [migrations.RunPython(fee_totals_from_the_books, migrations.RunPython.noop)]
