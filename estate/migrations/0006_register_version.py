import secrets

from django.db import migrations, models

# The tables whose every write changes the register's version (estate.models.Version).
REGISTER_TABLES = ("estate_building", "estate_household", "estate_resident")


def add_register_version(apps, schema_editor):
    apps.get_model("estate", "Version").objects.create(name="register", token=secrets.token_hex(16))


def create_register_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """CREATE OR REPLACE FUNCTION estate_register_changed() RETURNS trigger AS $$
               BEGIN
                 UPDATE estate_version SET token = md5(random()::text || clock_timestamp()::text)
                 WHERE name = 'register';
                 RETURN NULL;
               END;
               $$ LANGUAGE plpgsql"""
        )
        for table in REGISTER_TABLES:
            schema_editor.execute(
                f"""CREATE TRIGGER {table}_register_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                    FOR EACH STATEMENT EXECUTE FUNCTION estate_register_changed()"""
            )
    elif vendor == "sqlite":
        for table in REGISTER_TABLES:
            for action in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"""CREATE TRIGGER {table}_register_changed_{action.lower()} AFTER {action} ON {table}
                        BEGIN UPDATE estate_version SET token = lower(hex(randomblob(16))) WHERE name = 'register';
                        END"""
                )
    else:
        raise NotImplementedError(f"the register's version is not implemented for {vendor}")


def drop_register_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in REGISTER_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_register_changed ON {table}")
        else:
            for action in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_register_changed_{action}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS estate_register_changed()")


class Migration(migrations.Migration):

    dependencies = [
        ("estate", "0005_scheduled_job_runs"),
    ]

    operations = [
        migrations.CreateModel(
            name="Version",
            fields=[
                ("name", models.CharField(max_length=20, primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(add_register_version, migrations.RunPython.noop),
        migrations.RunPython(create_register_triggers, drop_register_triggers),
    ]
