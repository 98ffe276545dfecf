"""The life of a repair ticket, in one table: from each state, which moves lead where, and who makes them.

    new ─accept→ accepted ─assign→ assigned ─start→ in progress ─finish→ done ─confirm→ confirmed
                                                                            ├─close (7 days unconfirmed)→ closed
                                                                            └─reopen→ assigned
    new, accepted ─reject (with a reason)→ rejected        closed ─reopen→ assigned

Services ask `refusal()` before every change; pages ask `moves_for()` which buttons to show.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from repairs.models import Ticket

S = Ticket.Status


class Actor(StrEnum):
    COMMITTEE = "committee"  # the committee dispatches, accepts, rejects, closes
    REPORTER = "reporter"  # whoever reported it and, for a flat, that household
    ASSIGNEE = "assignee"  # the volunteer doing the work (contractors have no login: the committee acts for them)


C, R, A = Actor.COMMITTEE, Actor.REPORTER, Actor.ASSIGNEE

# state → {move: (next state, who may make the move)}
WORKFLOW = {
    S.NEW: {"accept": (S.ACCEPTED, {C}), "reject": (S.REJECTED, {C})},
    S.ACCEPTED: {"assign": (S.ASSIGNED, {C}), "reject": (S.REJECTED, {C})},
    S.ASSIGNED: {"assign": (S.ASSIGNED, {C}), "start": (S.IN_PROGRESS, {A, C})},
    S.IN_PROGRESS: {"assign": (S.ASSIGNED, {C}), "finish": (S.DONE, {A, C})},
    S.DONE: {"confirm": (S.CONFIRMED, {R}), "reopen": (S.ASSIGNED, {R}), "close": (S.CLOSED, {C})},
    S.CONFIRMED: {},
    S.CLOSED: {"reopen": (S.ASSIGNED, {R})},
    S.REJECTED: {},
}


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    needs_comment: bool = False
    style: str = ""  # the button's class
    done: str = ""  # what the person is told once the move is made, with the ticket's %(number)s


MOVES = {
    "accept": Move("accept", gettext_lazy("Accept"),
                   done=gettext_lazy("Repair %(number)s is accepted. Next: quotes, or someone to do the work.")),
    "reject": Move("reject", gettext_lazy("Reject"), needs_comment=True, style="danger",
                   done=gettext_lazy("Repair %(number)s is rejected; whoever reported it sees your reason.")),
    "assign": Move("assign", gettext_lazy("Assign")),
    "start": Move("start", gettext_lazy("Start the work"), done=gettext_lazy("Work on repair %(number)s has started.")),
    "finish": Move("finish", gettext_lazy("The work is done"),
                   done=gettext_lazy("Repair %(number)s is done; whoever reported it is asked to confirm.")),
    "confirm": Move("confirm", gettext_lazy("Confirm it is fixed")),
    "reopen": Move("reopen", gettext_lazy("Not fixed: reopen"), needs_comment=True, style="secondary",
                   done=gettext_lazy("Repair %(number)s is open again; whoever does the work sees your comment.")),
    "close": Move("close", gettext_lazy("Close without confirmation"), style="secondary",
                  done=gettext_lazy("Repair %(number)s is closed.")),
}
# Moves made through their own form (an assignee to choose, a rating to give), not a plain button.
OWN_FORM = {"assign", "confirm"}
# Quotes are gathered and chosen once the ticket is accepted, before the work starts.
QUOTING = (S.ACCEPTED, S.ASSIGNED)


def actors(ticket, user):
    """The parts `user` plays in `ticket`."""
    found = set()
    if user.is_committee:
        found.add(C)
    if ticket.reported_by_id == user.pk or (ticket.household_id and ticket.household_id in user.household_ids):
        found.add(R)
    if ticket.volunteer_id and ticket.volunteer.user_id == user.pk:
        found.add(A)
    return found


def next_status(status, move):
    return WORKFLOW[status][move][0]


def refusal(ticket, move, user, *, now=None):
    """Why `user` may not make `move` on `ticket` now, or None when they may."""
    step = WORKFLOW.get(ticket.status, {}).get(move)
    if step is None:
        return _("A ticket that is “%(status)s” cannot be moved that way.") % {"status": ticket.get_status_display()}
    if not step[1] & actors(ticket, user):
        return {
            frozenset({C}): _("Only the committee may do that."),
            frozenset({R}): _("Only whoever reported the problem may do that."),
        }.get(frozenset(step[1]), _("Only the person assigned or the committee may do that."))
    return _guard(ticket, move, now or timezone.now())


def _guard(ticket, move, now):
    """The conditions beyond state and person."""
    if move == "close" and now < ticket.may_be_closed_at():
        return _("The reporter has until %(date)s to confirm; close it after that.") % {
            "date": date_format(timezone.localtime(ticket.may_be_closed_at()), "SHORT_DATETIME_FORMAT")
        }
    if move in ("assign", "start") and ticket.chosen_quote_id and not quote_choice_settled(ticket):
        return _("The chosen quote is waiting for the committee's approvals; the work waits for them too.")
    return None


def quote_choice_settled(ticket):
    """Whether the spending of the chosen quote may go ahead (see repairs.costs)."""
    from repairs import costs

    return costs.choice_is_approved(ticket)


def moves_for(ticket, user, *, now=None):
    """The moves `user` may make on `ticket` now, as buttons (assign and confirm have their own forms)."""
    return [MOVES[name] for name in WORKFLOW.get(ticket.status, {})
            if name not in OWN_FORM and refusal(ticket, name, user, now=now) is None]


def may(ticket, move, user, *, now=None):
    return refusal(ticket, move, user, now=now) is None
