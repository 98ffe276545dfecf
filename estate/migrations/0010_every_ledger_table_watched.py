from django.db import migrations

from estate.db import Watched


class Migration(migrations.Migration):

    dependencies = [
        ("estate", "0009_activity_version"),
        ("ledger", "0014_fee_month_totals_and_open_charges"),
    ]

    # The ledger's version watches every table of the books (migration 0008 left out two that no panel shows
    # today); the fee totals per month came after. tests/estate/test_dashboard_panels.py checks that none is
    # missing.
    operations = [
        Watched("ledger", ["ledger_feemonthtotal", "ledger_submission", "ledger_receiptcounter"]),
    ]
