"""Repairs on the dashboard: what is urgent and overdue for the committee, one's own jobs and reports."""

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from estate import cached
from estate.models import Version
from repairs import costs
from repairs.models import Ticket

SHOWN = 5
RELATED = ("household", "building", "volunteer__user", "contractor")
# The tables these panels read (estate/panels.py): tickets with their households, volunteers' names and the
# approvals of their quotes' expenses.
VERSIONS = (Version.REPAIRS, Version.REGISTER, Version.PEOPLE, Version.LEDGER)


def _committee_tickets():
    """The open tickets, oldest first; when each finished ticket not yet confirmed was done (Ticket.
    unconfirmed_condition); the quote choices awaiting approval. Counting them is left to each request, by the
    rules Ticket.is_overdue and TicketQuerySet.overdue share."""
    # Kept in the cache table: the volunteers' logins without their password hashes.
    open_tickets = list(Ticket.objects.open().select_related(*RELATED).defer("volunteer__user__password")
                        .order_by("reported_at"))
    done_at = list(Ticket.objects.filter(status=Ticket.Status.DONE, done_at__isnull=False).order_by()
                   .values_list("done_at", flat=True))
    return open_tickets, done_at, costs.choices_awaiting_approval()


def panels(request):
    user = request.user
    if not user.active_roles:
        return []
    now = timezone.now()
    result = []
    if user.is_committee:
        # The tickets are kept once per state of the estate (estate.cached); what is overdue is decided now.
        open_tickets, done_at, awaiting_approval = cached.figure(
            request, "repairs.dashboard.committee", _committee_tickets, key=(settings.LEDGER_APPROVAL_THRESHOLD,))
        emergencies = [ticket for ticket in open_tickets if ticket.urgency == Ticket.Urgency.EMERGENCY]
        overdue = [ticket for ticket in open_tickets if ticket.is_overdue(now)]
        result.append(("repairs/_dashboard_committee.html", {
            "counts": {
                "new": sum(ticket.status == Ticket.Status.NEW for ticket in open_tickets),
                "urgent": len(emergencies),
                "overdue": len(overdue),
                "unconfirmed": sum(done <= now - Ticket.CONFIRM_WITHIN for done in done_at),
            },
            "urgent": emergencies[:SHOWN],
            # Emergencies are listed above already, overdue or not.
            "overdue": [ticket for ticket in overdue if ticket.urgency != Ticket.Urgency.EMERGENCY][:SHOWN],
            "awaiting_approval": awaiting_approval,
            "now": now,
            # Any open ticket may fall overdue, and a finished one stay unconfirmed too long, with the clock alone.
            "changes_at": [*_overdue_moments(open_tickets), *(done + Ticket.CONFIRM_WITHIN for done in done_at)],
        }))
    if user.is_volunteer:
        jobs = list(Ticket.objects.open().filter(volunteer__user=user).select_related(*RELATED)
                    .order_by("-urgency", "reported_at")[:SHOWN * 2])
        result.append(("repairs/_dashboard_jobs.html", {"jobs": jobs, "now": now,
                                                         "changes_at": _overdue_moments(jobs)}))
    if user.is_resident or user.is_building_head:
        mine = Q(reported_by=user) | Q(household_id__in=user.household_ids)
        if user.is_building_head and not user.is_committee:
            mine |= Q(building_id__in=user.headed_building_ids)
        recent = (Ticket.objects.filter(mine).filter(Q(status__in=Ticket.OPEN) | Q(status=Ticket.Status.DONE))
                  .select_related(*RELATED).order_by("-reported_at")[:SHOWN])
        recent = list(recent)
        result.append(("repairs/_dashboard_mine.html", {"tickets": recent, "now": now,
                                                         "changes_at": _overdue_moments(recent)}))
    return result


def _overdue_moments(tickets):
    return [moment for ticket in tickets for moment in ticket.falls_overdue_at()]
