from django.db import migrations

from estate.db import Watched


class Migration(migrations.Migration):

    dependencies = [
        ("voice", "0002_proposal_put_to_a_motion"),
        ("estate", "0011_reach_watched"),
    ]

    # The residents' proposals are the owners' voice before a motion: their list (voice.views.proposal_list) is kept
    # as HTML under the decisions' token (estate.models.Version), which every table of theirs now changes too,
    # however written, in the writer's own transaction.
    operations = [
        Watched("decisions", [
            "voice_proposal", "voice_proposalphoto", "voice_support", "voice_comment", "voice_commenthiding",
        ]),
    ]
