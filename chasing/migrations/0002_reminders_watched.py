from django.db import migrations

from estate.db import Watched


class Migration(migrations.Migration):

    dependencies = [
        ("chasing", "0001_reminders_from_messaging"),
        ("estate", "0011_reach_watched"),
    ]

    # The arrears page's rows are kept with each household's last reminder (ledger.views_committee.arrears) under
    # the chasing token (estate.models.Version): a reminder or a new rule, however written, changes it in the
    # writer's own transaction. Before, only the activity record the app writes beside them did.
    operations = [
        Watched("chasing", ["messaging_arrearsreminder", "messaging_reminderpolicy"]),
    ]
