"""Care on the dashboard: today's checks still to make, and the open alerts one may see."""

from django.utils import timezone

from care.models import Agreement, Alert
from estate.models import Version

# The tables this panel reads (estate/panels.py): kept per viewer and day, in the process's memory only.
VERSIONS = (Version.CARE, Version.REGISTER, Version.PEOPLE)


def panels(request):
    user = request.user
    if not user.active_roles:
        return []
    day = timezone.localdate()
    visible = Agreement.objects.visible_to(user)
    alerts = list(Alert.objects.filter(resolved_at__isnull=True, agreement__in=visible.values("pk"))
                  .select_related("agreement__household"))
    pending = [a for a in visible.in_force().exclude(checks__day=day).select_related("household", "person")
               if a.may_record(user) and a.is_due_on(day)]
    if not (alerts or pending):
        return []
    return [("care/_dashboard.html", {"alerts": alerts, "pending": pending})]
