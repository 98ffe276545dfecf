"""The activity log: every change of state writes one record, in the same transaction."""

from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

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
