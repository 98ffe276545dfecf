from django.db import migrations, models

from estate.db import Watched


class Migration(migrations.Migration):

    dependencies = [
        ("estate", "0005_scheduled_job_runs"),
        ("accounts", "0004_invitation_states"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [
        migrations.CreateModel(
            name="Version",
            fields=[
                ("name", models.CharField(max_length=20, primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        # The tables whose every write changes each version's token (estate.models.Version).
        Watched("register", ["estate_building", "estate_household", "estate_resident"]),
        Watched("people", ["accounts_user", "accounts_role", "accounts_activityrecord", "mfa_authenticator"]),
    ]
