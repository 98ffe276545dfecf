"""The key register's scheduled jobs (estate/background.py says what a job promises).

Keys tell people through messaging, never the other way round (docs/ARCHITECTURE.md, "Apps and how they depend
on each other").
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.notify import committee_members
from keys.models import KeyHandover
from messaging.models import Topic
from messaging.services import message_send, message_to_group


@transaction.atomic
def keys_overdue_tell(*, now):
    """A key out longer than allowed: its keeper, its witness and the committee are told once
    (the message's dedupe key makes a second run tell nobody again)."""
    told = 0
    handovers = KeyHandover.objects.out_now().select_related("deposit", "keeper", "witness").prefetch_related("events")
    committee = list(committee_members())
    for handover in handovers:
        if not (handover.due_back_at and now > handover.due_back_at):
            continue
        key = f"handover:{handover.pk}:overdue"
        subject = _("Key %(tag)s is overdue") % {"tag": handover.deposit.tag}
        body = _("Key %(tag)s, taken out by %(keeper)s with %(witness)s, should have been back by %(time)s.") % {
            "tag": handover.deposit.tag,
            "keeper": handover.keeper,
            "witness": handover.witness,
            "time": timezone.localtime(handover.due_back_at).strftime("%Y-%m-%d %H:%M"),
        }
        link = reverse("keys:handover", kwargs={"pk": handover.pk})
        told += len(
            message_send(
                to=[handover.keeper, handover.witness, *committee],
                topic=Topic.KEY_OVERDUE,
                subject=subject,
                body=body,
                link=link,
                dedupe_key=key,
            )
        )
        message_to_group(
            group="committee", topic=Topic.KEY_OVERDUE, subject=subject, body=body, link=link, dedupe_key=key
        )
    return told


JOBS = [keys_overdue_tell]
