from django.db import migrations

from estate.db import drop_version_trigger_statements, version_trigger_statements

# The committee page (committee.views.committee_page) and the decisions' list are kept as HTML under the decisions'
# token (estate.models.Version): every table of the owners' decisions and of the committee's mandates changes it,
# however written, in the writer's own transaction. Migration estate/0008 watched the motions' and ballots' tables.
TABLES = (
    "decisions_owner", "decisions_ownedunit", "decisions_motionattachment", "decisions_rollentry", "decisions_proxy",
    "decisions_decisioncounter", "decisions_decision",
    "committee_appointment", "committee_candidate", "committee_mandate",
)


def create_triggers(apps, schema_editor):
    for table in TABLES:
        for statement in version_trigger_statements(schema_editor.connection.vendor, table, "decisions"):
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for table in TABLES:
        for statement in drop_version_trigger_statements(schema_editor.connection.vendor, table, "decisions"):
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("committee", "0002_election_candidates"),
        ("decisions", "0003_proxy_holder_without_login"),
        ("estate", "0011_reach_watched"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
