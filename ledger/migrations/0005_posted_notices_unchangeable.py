from django.db import migrations

from estate.db import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_monthly_notice_and_private_payees")]

    # A posted notice is what the estate printed and signed: its row, digest and snapshot never change.
    operations = [AppendOnly("ledger_monthlynotice")]
