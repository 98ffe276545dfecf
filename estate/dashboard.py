"""The estate's panels on the dashboard: each returns (template, context) pairs."""

from decimal import Decimal

from django.db.models import Count

from estate.aggregates import exact_sum
from estate.models import Household, Notice

NOTICES_SHOWN = 3


def panels(request):
    user = request.user
    result = []
    if user.is_committee or user.is_building_head:
        households = Household.objects.visible_to(user).filter(is_active=True)
        summary = households.aggregate(
            count=Count("pk"), area=exact_sum("area")
        )
        # SQLite sums 2284.7 as 2284.70000000000: areas have two places, and so has their sum.
        summary["area"] = summary["area"].quantize(Decimal("0.01"))
        result.append(("estate/_dashboard_register.html", {"summary": summary}))
    if user.is_resident:
        mine = Household.objects.filter(pk__in=user.household_ids).select_related("building")
        result.append(("estate/_dashboard_household.html", {"households": mine}))
    if user.active_roles:
        # What the bulletin board says now, for those who never walk past it.
        latest = list(Notice.objects.filter(status=Notice.Status.POSTED).only("title", "notice_date")[:NOTICES_SHOWN])
        if latest:
            result.append(("estate/_dashboard_notices.html", {"notices": latest}))
    return result
