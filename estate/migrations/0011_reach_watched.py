from django.db import migrations

from estate.db import drop_version_trigger_statements, version_trigger_statements

# The ways each person chose to be told (messaging.Reach) decide who is on the phone tree, which is kept under the
# people's token (messaging.views.phone_tree): a change of them, however written, changes that token.
TABLE = "messaging_reach"


def create_trigger(apps, schema_editor):
    for statement in version_trigger_statements(schema_editor.connection.vendor, TABLE, "people"):
        schema_editor.execute(statement)


def drop_trigger(apps, schema_editor):
    for statement in drop_version_trigger_statements(schema_editor.connection.vendor, TABLE, "people"):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("estate", "0010_every_ledger_table_watched"),
        ("messaging", "0001_messages_and_deliveries"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
    ]
