"""The newest unread messages on the dashboard; the inbox holds them all."""

from estate.models import Version
from messaging.models import Message

SHOWN = 3
# The table this panel reads (estate/panels.py).
VERSIONS = (Version.MESSAGES,)


def panels(request):
    unread = list(Message.objects.filter(recipient=request.user, read_at__isnull=True).only(
        "subject", "created_at")[:SHOWN])
    if not unread:
        return []
    return [("messaging/_dashboard.html", {"messages": unread})]
