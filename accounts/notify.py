"""Telling the committee something that must be kept outside the database: one call, `tell_committee`.

Today it sends e-mail to every committee member with an address, after the change commits; when the
estate's messages (inbox) exist, this is the one place to route it there.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation

logger = logging.getLogger(__name__)


def committee_members():
    from accounts.models import COMMITTEE_KINDS, User

    return User.objects.filter(is_active=True, roles__kind__in=COMMITTEE_KINDS, roles__ended_at__isnull=True).distinct()


def tell_committee(*, subject, body):
    """Queue `subject` and `body` (already in the estate's language) to every committee member; sent on commit."""
    recipients = sorted({user.email for user in committee_members() if user.email})
    if recipients:
        transaction.on_commit(partial(_send, f"[{settings.SITE_NAME}] {subject}", body, recipients))


def _send(subject, body, recipients):
    # The close is committed; a mail server that is down must not turn it into an error page.
    try:
        send_mail(subject, body, None, recipients)
    except Exception:
        logger.exception("Could not send the committee notice to %s", recipients)


def in_estate_language():
    return translation.override(settings.LANGUAGE_CODE)
