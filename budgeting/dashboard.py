"""The draft budget on the dashboard while residents may comment on it."""

from django.utils import timezone

from budgeting.models import Plan
from estate.models import Version

# The tables this panel reads (estate/panels.py); the day is part of its key.
VERSIONS = (Version.BUDGET,)


def panels(request):
    if not request.user.active_roles:
        return []
    plans = list(
        Plan.objects.filter(status=Plan.Status.PUBLISHED, comments_end__gte=timezone.localdate()).only(
            "pk", "year", "comments_end"
        )
    )
    if not plans:
        return []
    return [("budgeting/_dashboard.html", {"plans": plans})]
