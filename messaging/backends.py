"""Login backends that load the signed-in person with their inbox's unread count in the same query.

Every page shows the count beside the menu (templates/messaging/_inbox_link.html); asked separately it
would be one more query on every page. These are Django's and allauth's backends otherwise unchanged.
"""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from messaging.models import Message


def _with_unread(users):
    unread = (
        Message.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return users.annotate(inbox_unread=Coalesce(Subquery(unread), 0))


class _InboxCount:
    def get_user(self, user_id):
        users = get_user_model()._default_manager
        try:
            user = _with_unread(users.all()).get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(_InboxCount, django_backends.ModelBackend):
    pass


class AuthenticationBackend(_InboxCount, allauth_backends.AuthenticationBackend):
    pass
