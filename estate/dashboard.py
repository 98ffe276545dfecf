"""The estate's panels on the dashboard: each returns (template, context) pairs."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from estate.models import Household


def panels(request):
    user = request.user
    result = []
    if user.is_committee or user.is_building_head:
        households = Household.objects.visible_to(user).filter(is_active=True)
        summary = households.aggregate(
            count=Count("pk"), area=Coalesce(Sum("area"), Decimal("0"))
        )
        result.append(("estate/_dashboard_register.html", {"summary": summary}))
    if user.is_resident:
        mine = Household.objects.filter(pk__in=user.household_ids).select_related("building")
        result.append(("estate/_dashboard_household.html", {"households": mine}))
    return result
