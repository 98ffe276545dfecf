from django.db import migrations

from estate.db import Watched


class Migration(migrations.Migration):

    dependencies = [
        ("estate", "0008_dashboard_versions"),
    ]

    # Every change the app makes writes an activity record in its transaction (accounts.activity.log_action):
    # the "state" token moves with each, and the kept figures are kept under it (estate/cached.py). On PostgreSQL
    # a table's triggers of one event fire in the order of their names, so this one ("…_state_changed") takes the
    # state's row after the people's ("…_people_changed"): every transaction takes the two in the same order.
    operations = [
        Watched("state", ["accounts_activityrecord"]),
    ]
