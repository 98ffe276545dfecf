from django.db import migrations

from estate.db import Watched


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_invitation_states"),
        ("estate", "0011_reach_watched"),
    ]

    # The list of open invitation slips is kept as HTML under the people's token (accounts.views.invitation_list):
    # a slip made, used, revoked or changed, however written, changes that token in the writer's transaction.
    operations = [
        Watched("people", ["accounts_invitation"]),
    ]
