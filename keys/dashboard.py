"""The key register's panels on the dashboard: a list of (template, context) pairs.

- The committee: how many keys are in the cabinet and out, and every overdue key, until it is back.
- Keepers and witnesses: hand-overs waiting for their confirmation, and the keys they have out.
- A household: what happened to its keys in the last 30 days (the notice of each hand-over).

The cabinet's contents and a household's hand-overs are kept once per state of the estate (estate.cached); what is
overdue, or within the last 30 days, is decided at each request.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from estate import cached
from estate.models import Version
from keys import access
from keys.models import KeyDeposit, KeyHandover, confirm_window

NOTICE_DAYS = 30
# The tables the keys' panels and pages read, kept under their tokens (estate/panels.py): keys, the households'
# codes, keepers' and witnesses' names.
VERSIONS = (Version.KEYS, Version.REGISTER, Version.PEOPLE)


def _handovers():
    return KeyHandover.objects.select_related("deposit", "keeper", "witness").prefetch_related("events")


def _kept(handovers):
    """Hand-overs as kept in the cache table: the keeper's and witness's logins without their password hashes."""
    return list(handovers.defer("keeper__password", "witness__password"))


def _cabinet():
    return (KeyDeposit.objects.filter(status=KeyDeposit.Status.ACTIVE).count(),
            _kept(_handovers().out_now().order_by("out_time")))


def _households_keys(households):
    """Every time the households' keys left the cabinet, the latest first, and the keys on their way back. A
    household's keys leave a few times a year: the last 30 days are picked from these at each request."""
    return (_kept(_handovers().with_counts().filter(deposit__household_id__in=households, n_out=2)
                  .order_by("-out_time")),
            list(KeyDeposit.objects.filter(household_id__in=households, status=KeyDeposit.Status.RETURNING)))


def _keepers_handovers(user, today):
    """The hand-overs a keeper or witness is part of and that are not closed: out, or started since midnight less
    the time a witness has to confirm (kept for the day), newest first."""
    started_since = timezone.make_aware(datetime.combine(today, time.min)) - confirm_window()
    return _kept(_handovers().with_counts().involving(user).filter(
        Q(n_out=2, n_back__lt=2) | Q(n_out=1, created_at__gte=started_since), n_closed=0))


def panels(request):
    user = request.user
    result = []
    if user.is_committee:
        # The cabinet changes only with a recorded change (estate.cached); what is overdue changes with the clock.
        in_custody, out_now = cached.figure(request, "keys.dashboard.committee", _cabinet)
        result.append(("keys/_dashboard_committee.html", {
            "in_custody": in_custody,
            "out_now": out_now,
            "overdue": [handover for handover in out_now if handover.is_overdue],
            "changes_at": [handover.due_back_at for handover in out_now if handover.due_back_at],
        }))
    if access.works_with_keys(user):
        # Whether the witness may still confirm is decided now (KeyHandoverQuerySet.awaiting_witness and open).
        today = timezone.localdate()
        since = timezone.now() - confirm_window()
        handovers = cached.figure(request, "keys.dashboard.keeper", lambda: _keepers_handovers(user, today),
                                  key=(user.pk, today, settings.KEYS_CONFIRM_MINUTES))
        started = [handover for handover in handovers if handover.n_out == 1 and handover.created_at >= since]
        awaiting = sorted((handover for handover in started if handover.witness_id == user.pk),
                          key=lambda handover: handover.created_at)
        mine = [handover for handover in handovers
                if (handover.n_out == 2 or handover in started) and handover not in awaiting]
        if awaiting or mine:
            # A hand-over leaves the panel when its time to confirm runs out; one out may fall overdue.
            result.append(("keys/_dashboard_keeper.html", {"awaiting": awaiting, "mine": mine, "changes_at": [
                moment for handover in handovers for moment in (handover.confirm_by, handover.due_back_at) if moment]}))
    if user.is_resident:
        since = timezone.now() - timedelta(days=NOTICE_DAYS)
        households = tuple(sorted(user.household_ids))
        taken_out, returning = cached.figure(request, "keys.dashboard.household", lambda: _households_keys(households),
                                             key=households)
        recent = [handover for handover in taken_out if handover.out_time >= since]
        if recent or returning:
            # A hand-over leaves the panel 30 days after the key went out; one still out may fall overdue.
            result.append(("keys/_dashboard_household.html", {"recent": recent, "returning": returning, "changes_at": [
                moment for handover in recent
                for moment in (handover.out_time + timedelta(days=NOTICE_DAYS), handover.due_back_at) if moment]}))
    return result
