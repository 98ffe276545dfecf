"""The key register's panels on the dashboard: a list of (template, context) pairs.

- The committee: how many keys are in the cabinet and out, and every overdue key, until it is back.
- Keepers and witnesses: hand-overs waiting for their confirmation, and the keys they have out.
- A household: what happened to its keys in the last 30 days (the notice of each hand-over).

The cabinet's contents and a household's hand-overs are kept once per state of the estate (estate.cached); what is
overdue, or within the last 30 days, is decided at each request.
"""

from datetime import timedelta

from django.utils import timezone

from estate import cached
from keys import access
from keys.models import KeyDeposit, KeyHandover

NOTICE_DAYS = 30


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
        }))
    if access.works_with_keys(user):
        awaiting = list(_handovers().awaiting_witness().filter(witness=user).order_by("created_at"))
        mine = list(_handovers().open().involving(user).exclude(pk__in=[h.pk for h in awaiting]))
        if awaiting or mine:
            result.append(("keys/_dashboard_keeper.html", {"awaiting": awaiting, "mine": mine}))
    if user.is_resident:
        since = timezone.now() - timedelta(days=NOTICE_DAYS)
        households = tuple(sorted(user.household_ids))
        taken_out, returning = cached.figure(request, "keys.dashboard.household", lambda: _households_keys(households),
                                             key=households)
        recent = [handover for handover in taken_out if handover.out_time >= since]
        if recent or returning:
            result.append(("keys/_dashboard_household.html", {"recent": recent, "returning": returning}))
    return result
