from django.db import migrations

from estate.db import Watched


class Migration(migrations.Migration):

    dependencies = [
        ("bank", "0001_statements_explanations_cash_counts"),
        ("estate", "0011_reach_watched"),
    ]

    # An open month's notice, whose reconciliation section reads these tables, is kept under the bank's token
    # (ledger.notice.notice_versions): a statement, an explanation or a cash count, however written, changes it in
    # the writer's own transaction.
    operations = [
        Watched("bank", [
            "bank_columnmapping", "bank_statement", "bank_statementline", "bank_explanation", "bank_cashcount",
        ]),
    ]
