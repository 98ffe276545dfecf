from django.db import migrations

from ledger.chart import create_chart


def create_chart_of_accounts(apps, schema_editor):
    create_chart(apps.get_model("ledger", "Account"), apps.get_model("ledger", "ChainHead"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only")]

    operations = [migrations.RunPython(create_chart_of_accounts, migrations.RunPython.noop)]
