"""Telling a household what happened to its key: on every channel it has (messaging/services.py).

The message is written in the transaction of the change and sent by a background task
after it commits; the notice on the household's dashboard is read from the hand-overs
themselves (keys/dashboard.py).
"""

from django.urls import reverse

from messaging.models import Topic
from messaging.services import message_to_household


def tell_household(household, subject, body, *, topic=Topic.KEY):
    """Tell every member of `household`: inbox, and e-mail and SMS where they have them.

    `subject` and `body` are callables, so that they are written in the estate's language.
    """
    message_to_household(household=household, topic=topic, subject=subject, body=body, link=reverse("keys:mine"))
