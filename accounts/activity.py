"""The activity log: every change of state writes one record, in the same transaction."""

from contextvars import ContextVar
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Set by RequestContextMiddleware; outside a request the change came from the command line.
request_source = ContextVar("request_source", default="command")


def log_action(verb, target=None, *, by=None, details=None):
    """Record that `by` did `verb` to `target`.

    Call it from the service that makes the change, inside its atomic block,
    so the record and the change are committed together or not at all.
    """
    from accounts.models import ActivityRecord

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log_action() must run inside the transaction that makes the change")
    record = ActivityRecord(
        actor=by if by is not None and by.is_authenticated else None,
        source=request_source.get(),
        verb=verb,
        details=details or {},
    )
    if target is not None:
        record.target_type = ContentType.objects.get_for_model(target)
        record.target_id = str(target.pk)
        record.target_repr = str(target)[:200]
    record.save()
    return record


# What the activity page shows for each verb; a verb not listed here is shown as it is.
# Other apps add their verbs here, so that the whole log reads in one language.
VERB_LABELS = {
    "role.grant": _("granted a role to"),
    "role.withdraw": _("withdrew a role from"),
    "invitation.create": _("issued an invitation"),
    "invitation.revoke": _("revoked an invitation"),
    "user.join": _("set up a login with an invitation"),
    "user.password_reset": _("set a new password with an invitation"),
    "user.password_set": _("changed the password of"),
    "user.mfa.added": _("turned on two-factor login for"),
    "user.mfa.removed": _("turned off two-factor login for"),
}

_DETAIL_LABELS = {
    "role": _("role"),
    "scope": _("of"),
    "invitation": _("invitation no."),
    "valid_until": _("valid until"),
    "reason": _("reason"),
    "kind": _("kind"),
}
_REASONS = {"replaced": _("replaced by a new invitation")}


def verb_label(verb):
    return VERB_LABELS.get(verb, verb)


def describe_details(details):
    """The details of a record as (label, value) pairs a committee member can read."""
    from allauth.mfa.models import Authenticator

    from accounts.models import Role

    for key, value in (details or {}).items():
        if value in ("", None):
            continue
        if key == "role" and value in Role.Kind.values:
            value = Role.Kind(value).label
        elif key == "kind" and value in Authenticator.Type.values:
            value = Authenticator.Type(value).label
        elif key == "reason":
            value = _REASONS.get(value, value)
        elif key == "valid_until":
            value = _local_date(value)
        yield _DETAIL_LABELS.get(key, key), value


def _local_date(text):
    try:
        return timezone.localtime(datetime.fromisoformat(text)).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return text
