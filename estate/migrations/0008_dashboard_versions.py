import secrets

from django.db import migrations

from estate.db import drop_version_trigger_statements, version_trigger_statements

# The tables whose every write changes each version's token (estate.models.Version): what the dashboard's panels
# read, kept as HTML under these tokens (estate/panels.py). Every table of each app, so that a panel that comes to
# read another of its app's tables is still right.
WATCHED = {
    "notices": ("estate_notice",),
    "ledger": (
        "ledger_account", "ledger_fund", "ledger_chainhead", "ledger_transaction", "ledger_entry",
        "ledger_closedmonth", "ledger_feerate", "ledger_feeadjustment", "ledger_charge", "ledger_payment",
        "ledger_settlement", "ledger_spentpayment", "ledger_cashhandover", "ledger_receipt", "ledger_income",
        "ledger_expense", "ledger_approval", "ledger_attachment", "ledger_budget", "ledger_householdtotal",
        "ledger_accountmonthtotal", "ledger_fundmonthtotal", "ledger_monthlynotice",
    ),
    "repairs": (
        "repairs_volunteer", "repairs_contractor", "repairs_ticket", "repairs_ticketevent", "repairs_photo",
        "repairs_quote",
    ),
    "keys": (
        "keys_keykeeper", "keys_keydeposit", "keys_keyconsent", "keys_keyhandover", "keys_keyhandoverevent",
    ),
    "decisions": ("decisions_assembly", "decisions_motion", "decisions_ballot", "decisions_ballotconfirmation",
                  "decisions_tally"),
    "budget": ("budgeting_plan", "budgeting_comment", "budgeting_commenthiding"),
    "care": ("care_agreement", "care_check", "care_alert"),
    "messages": ("messaging_message",),
}


def add_versions(apps, schema_editor):
    Version = apps.get_model("estate", "Version")
    Version.objects.bulk_create(Version(name=name, token=secrets.token_hex(16)) for name in WATCHED)


def remove_versions(apps, schema_editor):
    apps.get_model("estate", "Version").objects.filter(name__in=WATCHED).delete()


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
        ("estate", "0007_figures_cache_table"),
        ("ledger", "0013_running_totals_from_the_books"),
        ("repairs", "0004_photos_processed_in_the_background"),
        ("keys", "0002_key_history_append_only"),
        ("decisions", "0003_proxy_holder_without_login"),
        ("budgeting", "0002_append_only"),
        ("care", "0002_checks_append_only"),
        ("messaging", "0003_reminders_move_to_chasing"),
    ]

    operations = [
        migrations.RunPython(add_versions, remove_versions),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
