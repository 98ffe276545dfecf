from django.db import migrations

from estate.db import Watched


class Migration(migrations.Migration):

    dependencies = [
        ("committee", "0002_election_candidates"),
        ("decisions", "0003_proxy_holder_without_login"),
        ("estate", "0011_reach_watched"),
    ]

    # The committee page (committee.views.committee_page) and the decisions' list are kept as HTML under the
    # decisions' token (estate.models.Version): every table of the owners' decisions and of the committee's mandates
    # changes it, however written, in the writer's own transaction. Migration estate/0008 watched the motions' and
    # ballots' tables.
    operations = [
        Watched("decisions", [
            "decisions_owner", "decisions_ownedunit", "decisions_motionattachment", "decisions_rollentry",
            "decisions_proxy", "decisions_decisioncounter", "decisions_decision",
            "committee_appointment", "committee_candidate", "committee_mandate",
        ]),
    ]
