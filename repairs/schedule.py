"""Repairs' scheduled jobs (estate/background.py says what a job promises)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.notify import committee_members
from messaging.models import Topic
from messaging.services import message_send, message_to_group
from repairs.models import Ticket


@transaction.atomic
def repairs_late_tell(*, now):
    """An emergency repair nobody accepted within its promised time: the committee is told once
    (the message's dedupe key makes a second run tell nobody again)."""
    late = Ticket.objects.filter(
        urgency=Ticket.Urgency.EMERGENCY,
        status=Ticket.Status.NEW,
        reported_at__lt=now - Ticket.ACCEPT_WITHIN[Ticket.Urgency.EMERGENCY],
    )
    told = 0
    committee = list(committee_members())
    for ticket in late:
        key = f"ticket:{ticket.pk}:not_accepted"
        subject = _("Emergency repair no. %(pk)s is not accepted yet") % {"pk": ticket.pk}
        body = _(
            "An emergency repair (%(what)s) reported at %(time)s has waited longer than the promised %(hours)d hours."
        ) % {
            "what": ticket.get_category_display(),
            "time": timezone.localtime(ticket.reported_at).strftime("%Y-%m-%d %H:%M"),
            "hours": Ticket.ACCEPT_WITHIN[Ticket.Urgency.EMERGENCY].seconds // 3600,
        }
        told += len(
            message_send(
                to=committee,
                topic=Topic.REPAIR_LATE,
                subject=subject,
                body=body,
                link=ticket.get_absolute_url(),
                dedupe_key=key,
            )
        )
        message_to_group(
            group="committee",
            topic=Topic.REPAIR_LATE,
            subject=subject,
            body=body,
            link=ticket.get_absolute_url(),
            dedupe_key=key,
        )
    return told


JOBS = [repairs_late_tell]
