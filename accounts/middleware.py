from accounts.activity import request_source


def _client_address(request):
    # REMOTE_ADDR is the reverse proxy's own address when there is one; the
    # proxy in README.md sets X-Real-IP, which is trusted only then.
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
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
