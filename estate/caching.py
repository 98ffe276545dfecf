"""What browsers and proxies may keep (docs/ARCHITECTURE.md, "Caching").

Every page and file the app answers with is `Cache-Control: private, no-store`: signed-in pages, receipts,
key agreements, photos and exports must not stay in a shared family phone's cache after logout, nor in
any proxy's. The one exception is content fixed by a SHA-256 (a posted notice): `@cacheable_by_hash` gives
it an ETag from the digest and lets it be kept and revalidated.
"""

from functools import wraps

from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language

NO_STORE = "private, no-store"


class PrivateByDefaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(response, "cacheable_by_hash", False) and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = NO_STORE
        return response


def cacheable_by_hash(digest_of, *, public, max_age=3600):
    """Lets a view whose content is fixed by a SHA-256 be kept: ETag from the digest, 304 when unchanged.

    `digest_of(request, **kwargs)` returns the hex digest, or None when the content is not fixed (a draft),
    and then the answer stays private, no-store. HTML pages vary by language and carry a CSRF token, so
    theirs is a weak ETag with the language in it; a file's bytes are the digest's, so its ETag is strong.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            digest = digest_of(request, *args, **kwargs)
            if digest is None:
                return view(request, *args, **kwargs)
            etag = f'"{digest}"' if not public else f'W/"{digest}-{get_language()}"'
            if request.method in ("GET", "HEAD") and _matches(request, etag):
                from django.http import HttpResponseNotModified

                response = HttpResponseNotModified()
            else:
                response = view(request, *args, **kwargs)
                if response.status_code != 200:
                    return response
            response["ETag"] = etag
            response["Cache-Control"] = f"{'public' if public else 'private'}, max-age={max_age}"
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            response.cacheable_by_hash = True
            return response

        return wrapped

    return decorator


def _matches(request, etag):
    wanted = parse_etags(request.headers.get("If-None-Match", ""))
    bare = etag.removeprefix("W/")
    return "*" in wanted or any(tag.removeprefix("W/") == bare for tag in wanted)
