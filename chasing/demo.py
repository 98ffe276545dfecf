"""This app's part of the demo estate (called by seed_demo, after the ledger and messaging): two households'
arrears chasing record under a reminder policy of 14 days."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from chasing.models import ArrearsReminder, ReminderPolicy
from ledger import reports


def seed(*, out):
    users = {u.username: u for u in User.objects.filter(username__in=["chair", "head1"])}
    now = timezone.now()
    ReminderPolicy.objects.create(min_days=14, set_by=users["chair"], set_at=now - timedelta(days=60))
    owing = reports.arrears()[:2]
    for row, (means, outcome, step) in zip(owing, [
            (ArrearsReminder.Means.SLIP, ArrearsReminder.Outcome.LEFT, "两周后电话联系"),
            (ArrearsReminder.Means.CALL, ArrearsReminder.Outcome.PROMISED, "月底前上门收取")], strict=False):
        ArrearsReminder.objects.create(household_id=row.household_id, means=means, outcome=outcome, owed=row.owed,
                                       next_step=step, next_on=timezone.localdate() + timedelta(days=10),
                                       by=users["head1"], at=now - timedelta(days=5))
    out.write(f"Arrears chasing: {len(owing)} reminders recorded")
