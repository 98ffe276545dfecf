"""Telling a household what happened to its key: by e-mail where it has one, after the change is committed.

The notice on the household's dashboard needs no sending: keys/dashboard.py reads
the hand-overs themselves.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation

from keys.access import household_members

logger = logging.getLogger(__name__)


def tell_household(household, subject, body):
    """Queue an e-mail to every member of `household` who has an address; sent only if the transaction commits.

    `subject` and `body` are callables, so that they are written in the estate's language.
    """
    recipients = sorted({user.email for user in household_members(household) if user.email})
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        message = (f"[{settings.SITE_NAME}] {subject()}", body())
    transaction.on_commit(partial(_send, *message, recipients))


def _send(subject, body, recipients):
    # The change is already committed; a mail server that is down must not turn it into an error page.
    try:
        send_mail(subject, body, None, recipients)
    except Exception:
        logger.exception("Could not send the key notice to %s", recipients)
