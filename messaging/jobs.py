"""Telling people of publications: a posted notice or an opened motion, once, to those who asked.

The jobs that watch other apps' deadlines live with those apps (keys/schedule.py, repairs/schedule.py): messaging
is the lower layer and imports none of them (docs/ARCHITECTURE.md, "Apps and how they depend on each other").
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from messaging.models import Topic
from messaging.services import message_send


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
