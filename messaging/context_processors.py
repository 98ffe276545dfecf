from messaging.models import Message


def inbox(request):
    """The unread count beside the menu: loaded with the person at no extra query (messaging/backends.py)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if hasattr(user, "inbox_unread"):
        return {"inbox_unread": user.inbox_unread}
    return {"inbox_unread": lambda: Message.objects.filter(recipient=user, read_at__isnull=True).count()}
