"""The key register's panels on the dashboard: a list of (template, context) pairs.

- The committee: how many keys are in the cabinet and out, and every overdue key, until it is back.
- Keepers and witnesses: hand-overs waiting for their confirmation, and the keys they have out.
- A household: what happened to its keys in the last 30 days (the notice of each hand-over).
"""

from datetime import timedelta

from django.utils import timezone

from estate import cached
from keys import access
from keys.models import KeyDeposit, KeyHandover

NOTICE_DAYS = 30


def _handovers():
    return KeyHandover.objects.select_related("deposit", "keeper", "witness").prefetch_related("events")


def _cabinet():
    return (KeyDeposit.objects.filter(status=KeyDeposit.Status.ACTIVE).count(),
            list(_handovers().out_now().order_by("out_time")))


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
        households = user.household_ids
        recent = list(_handovers().with_counts().filter(
            deposit__household_id__in=households, n_out=2, out_time__gte=since
        ).order_by("-out_time"))
        returning = list(KeyDeposit.objects.filter(household_id__in=households, status=KeyDeposit.Status.RETURNING))
        if recent or returning:
            result.append(("keys/_dashboard_household.html", {"recent": recent, "returning": returning}))
    return result
