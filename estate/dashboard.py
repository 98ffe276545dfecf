"""The estate's panels on the dashboard: each returns (template, context) pairs.

The register's figures and the latest notices are computed once per state of the estate and kept
(estate.cached); what a user may see is part of the key.
"""

from decimal import Decimal

from django.db.models import Count

from estate import cached
from estate.aggregates import exact_sum
from estate.models import Household, Notice, Version

NOTICES_SHOWN = 3
# The tables these panels read (estate/panels.py).
VERSIONS = (Version.REGISTER, Version.NOTICES)


def panels(request):
    user = request.user
    result = []
    if user.is_committee or user.is_building_head:
        summary = cached.figure(request, "estate.dashboard.register", lambda: _summary(user),
                                key=cached.reach(user))
        result.append(("estate/_dashboard_register.html", {"summary": summary}))
    if user.is_resident:
        ids = tuple(sorted(user.household_ids))
        mine = cached.figure(request, "estate.dashboard.households", lambda: list(
            Household.objects.filter(pk__in=ids).select_related("building")), key=ids)
        result.append(("estate/_dashboard_household.html", {"households": mine}))
    if user.active_roles:
        # What the bulletin board says now, for those who never walk past it.
        latest = cached.figure(request, "estate.dashboard.notices", lambda: list(
            Notice.objects.filter(status=Notice.Status.POSTED).only("title", "notice_date")[:NOTICES_SHOWN]))
        if latest:
            result.append(("estate/_dashboard_notices.html", {"notices": latest}))
    return result


def _summary(user):
    summary = Household.objects.visible_to(user).filter(is_active=True).aggregate(
        count=Count("pk"), area=exact_sum("area"))
    # SQLite sums 2284.7 as 2284.70000000000: areas have two places, and so has their sum.
    summary["area"] = summary["area"].quantize(Decimal("0.01"))
    return summary
