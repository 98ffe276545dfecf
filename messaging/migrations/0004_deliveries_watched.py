from django.db import migrations

from estate.db import Watched


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0003_reminders_move_to_chasing"),
        ("estate", "0011_reach_watched"),
    ]

    # The log of deliveries is kept as HTML under the messages' token (messaging.views.log): a delivery queued,
    # tried, sent or failed, whoever writes it (the task worker most often), changes that token in its transaction.
    operations = [
        Watched("messages", ["messaging_delivery"]),
    ]
