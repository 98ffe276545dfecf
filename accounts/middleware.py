import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.activity import request_source


def _client_address(request):
    # REMOTE_ADDR is the reverse proxy's own address when there is one; the
    # proxy in README.md sets X-Real-IP, which is trusted only then.
    from django.conf import settings

    if settings.BEHIND_PROXY:
        return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR", "")
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    """Makes the client's address known to log_action() for the length of a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_source.set(_client_address(request) or "unknown")
        try:
            return self.get_response(request)
        finally:
            request_source.reset(token)


# A session ends SESSION_COOKIE_AGE (two hours) after its last use. Saving it on every request
# (SESSION_SAVE_EVERY_REQUEST) to move that end along cost every page three of its eight round trips
# to the database; renewed at most once a minute, a session in use ends at most a minute early.
RENEWED_AT = "_renewed_at"  # seconds since the epoch
RENEW_AFTER_SECONDS = 60


def _stamp(session):
    session[RENEWED_AT] = int(time.time())


@receiver(user_logged_in, dispatch_uid="accounts.middleware.session_started")
def session_started(sender, request, **kwargs):
    """A login saves a new session, with a full two hours ahead of it."""
    _stamp(request.session)


class SessionRenewalMiddleware:
    """Moves a session's end along while it is used, saving it when it is a minute old or saved anyway."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.session
        # Untouched (a page that never asked who is there) or empty (a visitor): nothing to keep alive.
        # Nor after a server error: the database may be what failed (estate/errors.py).
        if session.accessed and not session.is_empty() and response.status_code < 500:
            if session.modified or time.time() - session.get(RENEWED_AT, 0) >= RENEW_AFTER_SECONDS:
                _stamp(session)
        return response
