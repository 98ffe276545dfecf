from messaging.models import Message


def inbox(request):
    """The unread count beside the menu: one small query, only when the page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": lambda: Message.objects.filter(recipient=user, read_at__isnull=True).count()}
