"""The arrears chasing record moves here from messaging: the models only, the tables stay as they are.

messaging/migrations/0001 made both tables and 0002 made them append-only; 0003 forgets the models. The
database is not touched: same tables, same rows, same triggers.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("estate", "0005_scheduled_job_runs"),
        ("messaging", "0003_reminders_move_to_chasing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='ArrearsReminder',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('means', models.CharField(choices=[('slip', 'Reminder slip'), ('call', 'Phone call'), ('visit', 'Visit'), ('message', 'Message')], max_length=10, verbose_name='how')),
                    ('outcome', models.CharField(choices=[('promised', 'Promised to pay'), ('paid', 'Paid'), ('no_answer', 'Nobody answered'), ('disputed', 'Disputes the bill'), ('hardship', 'Cannot pay now'), ('left', 'Slip or message left')], max_length=10, verbose_name='outcome')),
                    ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                    ('next_step', models.CharField(blank=True, max_length=100, verbose_name='next step')),
                    ('next_on', models.DateField(blank=True, null=True, verbose_name='next step on')),
                    ('owed', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='owed then')),
                    ('at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('household', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='estate.household', verbose_name='household')),
                    ('message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='messaging.message')),
                ],
                options={
                    'verbose_name': 'arrears reminder',
                    'verbose_name_plural': 'arrears reminders',
                    'db_table': 'messaging_arrearsreminder',
                    'ordering': ['-at', '-pk'],
                },
            ),
            migrations.CreateModel(
                name='ReminderPolicy',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('min_days', models.PositiveSmallIntegerField(default=14, verbose_name='days at least between two reminders')),
                    ('set_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('set_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'messaging_reminderpolicy',
                    'ordering': ['-set_at', '-pk'],
                    'constraints': [models.CheckConstraint(condition=models.Q(('min_days__gte', 1)), name='messaging_reminder_gap_positive')],
                },
            ),
        ]),
    ]
