"""The activity log for what allauth changes on a login: its password and its two-factor login.

allauth's own views make these changes, so the records are written from its hooks:
- a new password (changed, set, or reset by e-mail) through AccountAdapter.set_password,
  in the same transaction as the change;
- an authenticator (the authenticator app, recovery codes) added or removed, from the model's
  signals: inside allauth's transaction when it has one (turning two-factor login on), else in a
  transaction of its own right after the change (turning it off, which allauth does not wrap).
A login using an authenticator saves it too; that is no change and is not logged.
"""

from allauth.mfa.models import Authenticator
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.activity import log_action

ADDED = "accounts.audit.authenticator_added"
REMOVED = "accounts.audit.authenticator_removed"


def log_password_set(user):
    log_action("user.password_set", user, by=user)


def _log_authenticator(verb, authenticator):
    with transaction.atomic():
        log_action(verb, authenticator.user, by=authenticator.user, details={"kind": authenticator.type})


@receiver(post_save, sender=Authenticator, dispatch_uid=ADDED)
def authenticator_added(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        _log_authenticator("user.mfa.added", instance)


@receiver(post_delete, sender=Authenticator, dispatch_uid=REMOVED)
def authenticator_removed(sender, instance, **kwargs):
    _log_authenticator("user.mfa.removed", instance)
