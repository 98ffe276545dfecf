from collections import defaultdict
from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

from estate.db import AppendOnly


def note_spent_payments(apps, schema_editor):
    """Note every payment whose settlements already come to its whole amount."""
    Payment = apps.get_model("ledger", "Payment")
    Settlement = apps.get_model("ledger", "Settlement")
    SpentPayment = apps.get_model("ledger", "SpentPayment")
    settled = defaultdict(lambda: Decimal("0.00"))
    for payment_id, amount in Settlement.objects.values_list("payment_id", "amount").iterator(chunk_size=2000):
        settled[payment_id] += amount
    payments = Payment.objects.values_list("pk", "amount").iterator(chunk_size=2000)
    spent = [SpentPayment(payment_id=pk) for pk, amount in payments if settled[pk] == amount]
    SpentPayment.objects.bulk_create(spent, batch_size=2000)


class Migration(migrations.Migration):
    """Billing finds money paid ahead among the payments not yet spent (ledger.models.SpentPayment)."""

    dependencies = [
        ('ledger', '0006_journal_sorts_by_amount'),
    ]

    operations = [
        migrations.CreateModel(
            name='SpentPayment',
            fields=[
                ('payment', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='spent', serialize=False, to='ledger.payment')),
            ],
        ),
        AppendOnly("ledger_spentpayment"),
        migrations.RunPython(note_spent_payments, migrations.RunPython.noop, elidable=True),
    ]
