from django.db import migrations

from estate.db import Watched


class Migration(migrations.Migration):

    dependencies = [
        ("estate", "0010_every_ledger_table_watched"),
        ("messaging", "0001_messages_and_deliveries"),
    ]

    # The ways each person chose to be told (messaging.Reach) decide who is on the phone tree, which is kept under
    # the people's token (messaging.views.phone_tree): a change of them, however written, changes that token.
    operations = [
        Watched("people", ["messaging_reach"]),
    ]
