import secrets

from django.db import migrations, models

from estate.db import drop_version_trigger_statements, version_trigger_statements

# The tables whose every write changes each version's token (estate.models.Version).
WATCHED = {
    "register": ("estate_building", "estate_household", "estate_resident"),
    "people": ("accounts_user", "accounts_role", "accounts_activityrecord", "mfa_authenticator"),
}


def add_versions(apps, schema_editor):
    Version = apps.get_model("estate", "Version")
    Version.objects.bulk_create(Version(name=name, token=secrets.token_hex(16)) for name in WATCHED)


def create_triggers(apps, schema_editor):
    for name, tables in WATCHED.items():
        for table in tables:
            for statement in version_trigger_statements(schema_editor.connection.vendor, table, name):
                schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for name, tables in WATCHED.items():
        for table in tables:
            for statement in drop_version_trigger_statements(schema_editor.connection.vendor, table, name):
                schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("estate", "0005_scheduled_job_runs"),
        ("accounts", "0004_invitation_states"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.CreateModel(
            name="Version",
            fields=[
                ("name", models.CharField(max_length=20, primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(add_versions, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
