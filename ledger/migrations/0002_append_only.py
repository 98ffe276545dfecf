from django.db import migrations

from estate.db import AppendOnly


class Migration(migrations.Migration):
    """Rows money has passed through are never changed or deleted (docs/ARCHITECTURE.md, "Invariants and where each is enforced")."""

    dependencies = [("ledger", "0001_journal_fees_payments_expenses")]

    operations = [
        AppendOnly("ledger_transaction"),
        AppendOnly("ledger_entry"),
        AppendOnly("ledger_closedmonth"),
        AppendOnly("ledger_feerate"),
        AppendOnly("ledger_charge"),
        AppendOnly("ledger_payment"),
        AppendOnly("ledger_settlement"),
        AppendOnly("ledger_cashhandover"),
        AppendOnly("ledger_receipt"),
        AppendOnly("ledger_income"),
        AppendOnly("ledger_approval"),
        AppendOnly("ledger_attachment"),
        # An expense may be approved, paid or cancelled while pending; once paid or cancelled it is final.
        AppendOnly("ledger_expense", when="OLD.status <> 'pending'"),
    ]
