from django.db import migrations

from estate.db import drop_version_trigger_statements, version_trigger_statements

# The ledger's version watches every table of the books (migration 0008 left out two that no panel shows today);
# the fee totals per month came after. tests/estate/test_dashboard_panels.py checks that none is missing.
TABLES = ("ledger_feemonthtotal", "ledger_submission", "ledger_receiptcounter")


def create_triggers(apps, schema_editor):
    for table in TABLES:
        for statement in version_trigger_statements(schema_editor.connection.vendor, table, "ledger"):
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for table in TABLES:
        for statement in drop_version_trigger_statements(schema_editor.connection.vendor, table, "ledger"):
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("estate", "0009_activity_version"),
        ("ledger", "0014_fee_month_totals_and_open_charges"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
