"""Scheduled messages about other apps' deadlines: overdue keys, emergency repairs not accepted in time.

Each job takes `now` and is idempotent: the dedupe key of each message makes a second run
at the same moment (or any later one) tell nobody again.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import COMMITTEE_KINDS, User
from messaging.models import Topic
from messaging.services import message_send, message_to_group


def _committee():
    return list(User.objects.filter(roles__kind__in=COMMITTEE_KINDS, roles__ended_at__isnull=True,
                                    is_active=True).distinct())


@transaction.atomic
def keys_overdue_tell(*, now):
    """A key out longer than allowed: its keeper, its witness and the committee are told once."""
    from keys.models import KeyHandover

    told = 0
    handovers = KeyHandover.objects.out_now().select_related("deposit", "keeper", "witness").prefetch_related(
        "events")
    committee = _committee()
    for handover in handovers:
        if not (handover.due_back_at and now > handover.due_back_at):
            continue
        key = f"handover:{handover.pk}:overdue"
        subject = _("Key %(tag)s is overdue") % {"tag": handover.deposit.tag}
        body = _("Key %(tag)s, taken out by %(keeper)s with %(witness)s, should have been back by %(time)s.") % {
            "tag": handover.deposit.tag, "keeper": handover.keeper, "witness": handover.witness,
            "time": timezone.localtime(handover.due_back_at).strftime("%Y-%m-%d %H:%M")}
        link = reverse("keys:handover", kwargs={"pk": handover.pk})
        told += len(message_send(to=[handover.keeper, handover.witness, *committee], topic=Topic.KEY_OVERDUE,
                                 subject=subject, body=body, link=link, dedupe_key=key))
        message_to_group(group="committee", topic=Topic.KEY_OVERDUE, subject=subject, body=body, link=link,
                         dedupe_key=key)
    return told


@transaction.atomic
def repairs_late_tell(*, now):
    """An emergency repair nobody accepted within its promised time: the committee is told once."""
    from repairs.models import Ticket

    late = Ticket.objects.filter(urgency=Ticket.Urgency.EMERGENCY, status=Ticket.Status.NEW,
                                 reported_at__lt=now - Ticket.ACCEPT_WITHIN[Ticket.Urgency.EMERGENCY])
    told = 0
    committee = _committee()
    for ticket in late:
        key = f"ticket:{ticket.pk}:not_accepted"
        subject = _("Emergency repair no. %(pk)s is not accepted yet") % {"pk": ticket.pk}
        body = _("An emergency repair (%(what)s) reported at %(time)s has waited longer than the promised "
                 "%(hours)d hours.") % {"what": ticket.get_category_display(),
                                        "time": timezone.localtime(ticket.reported_at).strftime("%Y-%m-%d %H:%M"),
                                        "hours": Ticket.ACCEPT_WITHIN[Ticket.Urgency.EMERGENCY].seconds // 3600}
        told += len(message_send(to=committee, topic=Topic.REPAIR_LATE, subject=subject, body=body,
                                 link=ticket.get_absolute_url(), dedupe_key=key))
        message_to_group(group="committee", topic=Topic.REPAIR_LATE, subject=subject, body=body,
                         link=ticket.get_absolute_url(), dedupe_key=key)
    return told


@transaction.atomic
def publication_tell(*, kind, title, link, key):
    """The hook for a new notice or motion: everyone who asked for them is told once
    (docs/ARCHITECTURE.md, "Care and messages").

    `kind` is Topic.NOTICE or Topic.MOTION; `key` identifies the publication (e.g. "notice:12").
    Call it inside the transaction that posts the notice or opens the motion.
    """
    people = User.objects.filter(reach__notices=True, is_active=True, roles__ended_at__isnull=True).distinct()
    subject = (_("New notice: %(title)s") if kind == Topic.NOTICE else _("New motion: %(title)s")) % {"title": title}
    return message_send(to=list(people), topic=kind, subject=subject, body=subject, link=link, dedupe_key=key)
