from messaging.models import Message


def inbox(request):
    """The unread count beside the menu, only when a page shows it: loaded with the person at no extra query
    (messaging/backends.py). Lazy, like Django's own `user`: an error page rendered with the database down
    asks nothing.
    """

    def unread():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        if hasattr(user, "inbox_unread"):
            return user.inbox_unread
        return Message.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"inbox_unread": unread}
