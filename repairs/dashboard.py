"""Repairs on the dashboard: what is urgent and overdue for the committee, one's own jobs and reports."""

from django.db.models import Count, Q
from django.utils import timezone

from repairs import costs
from repairs.models import Ticket

SHOWN = 5


def panels(request):
    user = request.user
    if not user.active_roles:
        return []
    now = timezone.now()
    result = []
    related = ("household", "building", "volunteer__user", "contractor")
    if user.is_committee:
        open_tickets = Ticket.objects.open().select_related(*related).order_by("reported_at")
        emergency = Q(urgency=Ticket.Urgency.EMERGENCY)
        counts = Ticket.objects.aggregate(
            new=Count("pk", filter=Q(status=Ticket.Status.NEW)),
            urgent=Count("pk", filter=Q(status__in=Ticket.OPEN) & emergency),
            overdue=Count("pk", filter=Ticket.overdue_condition(now)),
            unconfirmed=Count("pk", filter=Ticket.unconfirmed_condition(now)),
        )
        result.append(("repairs/_dashboard_committee.html", {
            "counts": counts,
            "urgent": list(open_tickets.filter(emergency)[:SHOWN]),
            # Emergencies are listed above already, overdue or not.
            "overdue": list(open_tickets.overdue(now).exclude(emergency)[:SHOWN]),
            "awaiting_approval": costs.choices_awaiting_approval(),
            "now": now,
        }))
    if user.is_volunteer:
        jobs = list(Ticket.objects.open().filter(volunteer__user=user).select_related(*related)
                    .order_by("-urgency", "reported_at")[:SHOWN * 2])
        result.append(("repairs/_dashboard_jobs.html", {"jobs": jobs, "now": now}))
    if user.is_resident or user.is_building_head:
        mine = Q(reported_by=user) | Q(household_id__in=user.household_ids)
        if user.is_building_head and not user.is_committee:
            mine |= Q(building_id__in=user.headed_building_ids)
        recent = (Ticket.objects.filter(mine).filter(Q(status__in=Ticket.OPEN) | Q(status=Ticket.Status.DONE))
                  .select_related(*related).order_by("-reported_at")[:SHOWN])
        result.append(("repairs/_dashboard_mine.html", {"tickets": list(recent), "now": now}))
    return result
