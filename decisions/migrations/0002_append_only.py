from django.db import migrations

from decisions.db import RefuseTruncate
from estate.db import AppendOnly

# The record of a vote, from the roll to the decision (docs/ARCHITECTURE.md, "Owners' decisions").
RECORD = ("decisions_rollentry", "decisions_ballot", "decisions_ballotconfirmation", "decisions_tally",
          "decisions_decision")


class Migration(migrations.Migration):
    """Nothing in the record of a vote can be altered or removed; a closed motion stays as it was closed;
    a revoked proxy stays revoked."""

    dependencies = [("decisions", "0001_owners_motions_ballots_decisions")]

    operations = [
        *(AppendOnly(table) for table in RECORD),
        *(RefuseTruncate(table) for table in RECORD),
        AppendOnly("decisions_motion", when="OLD.status = 'closed'"),
        AppendOnly("decisions_proxy", when="OLD.revoked_at IS NOT NULL"),
    ]
