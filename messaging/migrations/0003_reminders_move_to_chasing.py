"""The arrears chasing record moves to the chasing app (chasing/migrations/0001): the models only, the tables,
their rows and their append-only triggers stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0002_reminders_append_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='arrearsreminder',
                name='by',
            ),
            migrations.RemoveField(
                model_name='arrearsreminder',
                name='household',
            ),
            migrations.RemoveField(
                model_name='arrearsreminder',
                name='message',
            ),
            migrations.RemoveConstraint(
                model_name='reminderpolicy',
                name='messaging_reminder_gap_positive',
            ),
            migrations.DeleteModel(
                name='ArrearsReminder',
            ),
            migrations.DeleteModel(
                name='ReminderPolicy',
            ),
        ]),
    ]
