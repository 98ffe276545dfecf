from django.db import migrations

from estate.db import Watched


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

    # What the dashboard's panels read, kept as HTML under these versions (estate/panels.py). Every table of each
    # app, so that a panel that comes to read another of its app's tables is still right.
    operations = [
        Watched("notices", ["estate_notice"]),
        Watched("ledger", [
            "ledger_account", "ledger_fund", "ledger_chainhead", "ledger_transaction", "ledger_entry",
            "ledger_closedmonth", "ledger_feerate", "ledger_feeadjustment", "ledger_charge", "ledger_payment",
            "ledger_settlement", "ledger_spentpayment", "ledger_cashhandover", "ledger_receipt", "ledger_income",
            "ledger_expense", "ledger_approval", "ledger_attachment", "ledger_budget", "ledger_householdtotal",
            "ledger_accountmonthtotal", "ledger_fundmonthtotal", "ledger_monthlynotice",
        ]),
        Watched("repairs", [
            "repairs_volunteer", "repairs_contractor", "repairs_ticket", "repairs_ticketevent", "repairs_photo",
            "repairs_quote",
        ]),
        Watched("keys", [
            "keys_keykeeper", "keys_keydeposit", "keys_keyconsent", "keys_keyhandover", "keys_keyhandoverevent",
        ]),
        Watched("decisions", [
            "decisions_assembly", "decisions_motion", "decisions_ballot", "decisions_ballotconfirmation",
            "decisions_tally",
        ]),
        Watched("budget", ["budgeting_plan", "budgeting_comment", "budgeting_commenthiding"]),
        Watched("care", ["care_agreement", "care_check", "care_alert"]),
        Watched("messages", ["messaging_message"]),
    ]
