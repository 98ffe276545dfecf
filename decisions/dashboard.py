"""The owners' votes on the dashboard: what is being voted on now, and whether one has voted."""

from decisions.models import Ballot, Motion
from estate.models import Version

# The tables this panel reads (estate/panels.py).
VERSIONS = (Version.DECISIONS,)


def panels(request):
    user = request.user
    if not user.active_roles:
        return []
    motions = list(Motion.objects.open().only("pk", "title", "voting_ends").order_by("voting_ends", "pk"))
    if not motions:
        return []
    voted = set(Ballot.objects.filter(cast_by=user, channel=Ballot.Channel.ONLINE, motion__in=motions)
                .values_list("motion_id", flat=True))
    return [("decisions/_dashboard_votes.html", {"motions": motions, "voted": voted})]
