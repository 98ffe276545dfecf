"""The demo committee's authority: the demo election, when the demo holds one (decisions.demo)."""

from datetime import date

from accounts.models import COMMITTEE_KINDS, Role, User
from committee.models import Candidate, Mandate
from committee.services import election_install
from decisions.models import Decision, Motion


def seed(*, out):
    pass


def finish(*, out):
    """Name the demo's committee on its passed election and put it in place, citing the decision.

    The election is history by now, so its candidates are recorded as the motion listed them
    rather than through candidate_add (which accepts drafts only).
    """
    decision = Decision.objects.passed(Motion.Kind.ELECTION).first()
    if decision is None or Mandate.objects.filter(decision=decision).exists():
        return
    chair = User.objects.get(username="chair")
    term_ends = date(decision.decided_at.year + 5, decision.decided_at.month, 1)
    if not Candidate.objects.filter(motion=decision.motion).exists():
        for role in Role.objects.filter(kind__in=COMMITTEE_KINDS, ended_at__isnull=True).select_related("user"):
            Candidate.objects.create(motion=decision.motion, user=role.user, kind=role.kind, term_ends=term_ends,
                                     added_by=chair)
    election_install(decision=decision, by=chair)
    out.write(f"Committee put in place by decision {decision.number}.\n")
