import secrets

from django.db import migrations

from estate.db import drop_version_trigger_statements, version_trigger_statements

# Every change the app makes writes an activity record in its transaction (accounts.activity.log_action): the
# "state" token moves with each, and the kept figures are kept under it (estate/cached.py). On PostgreSQL a table's
# triggers of one event fire in the order of their names, so this one ("…_state_changed") takes the state's row
# after the people's ("…_people_changed"): every transaction takes the two in the same order.
TABLE = "accounts_activityrecord"


def add_version(apps, schema_editor):
    apps.get_model("estate", "Version").objects.create(name="state", token=secrets.token_hex(16))


def remove_version(apps, schema_editor):
    apps.get_model("estate", "Version").objects.filter(name="state").delete()


def create_trigger(apps, schema_editor):
    for statement in version_trigger_statements(schema_editor.connection.vendor, TABLE, "state"):
        schema_editor.execute(statement)


def drop_trigger(apps, schema_editor):
    for statement in drop_version_trigger_statements(schema_editor.connection.vendor, TABLE, "state"):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("estate", "0008_dashboard_versions"),
    ]

    operations = [
        migrations.RunPython(add_version, remove_version),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
