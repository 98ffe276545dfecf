"""Error pages in the site's own layout and language, each with a way home (docs/ARCHITECTURE.md, "Errors").

Every page here renders without the database: it is rendered without context processors, the template
(templates/errors/page.html) leaves base.html's user, menu and messages blocks empty, and nothing here
runs a query. So the 500 page works when the
database is what failed, and a database that does not answer gets its own 503 page.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

PAGES = {
    400: (_("This request could not be understood"),
          _("The address or the form that was sent is not one this site can read. Go back and try again.")),
    403: (_("You may not open this page"),
          _("Your login does not include this page. If you think it should, ask the committee.")),
    404: (_("Page not found"),
          _("There is no page at this address. It may have been mistyped, or the page has moved.")),
    500: (_("Something went wrong on our side"),
          _("The site could not finish this request. Please try again in a minute; if it happens again, "
            "tell the committee what you were doing.")),
    429: (_("Too many attempts"),
          _("Too many requests came from your connection in a short while, so the site is holding them back. "
            "Wait a minute, then try again.")),
    503: (_("The site is resting for a moment"),
          _("The site cannot reach its records just now. Please try again in a few minutes.")),
}
CSRF_FAILURE = (_("This form has expired"),
                _("For your safety, a form can only be sent from a page of this site opened in the last "
                  "while. Go back, reload the page, and send the form again."))
NOTICE_CODE_UNKNOWN = (_("No notice has this code"),
                       _("The code does not belong to any posted accounts notice. Check the letters printed "
                         "under the QR code on the notice board, or scan the code again."))


def _page(request, status, title, explanation):
    # Rendered without the context processors, which may read the user and so the session and the
    # database: the page gets only what it shows, and base.html's blocks that need a user are left empty.
    context = {
        "request": request, "csrf_token": get_token(request), "LANGUAGES": settings.LANGUAGES,
        "SITE_NAME": settings.SITE_NAME, "status": status, "title": title, "explanation": explanation,
    }
    response = HttpResponse(loader.get_template("errors/page.html").render(context), status=status)
    if status in (429, 503):
        response["Retry-After"] = "60"
    return response


def bad_request(request, exception):
    return _page(request, 400, *PAGES[400])


def permission_denied(request, exception):
    return _page(request, 403, *PAGES[403])


def page_not_found(request, exception):
    # A mistyped code from a printed notice's QR code: say what to check, not just "not found".
    if request.path.startswith(reverse("notice-verify", kwargs={"code": "x"}).removesuffix("x/")):
        return _page(request, 404, *NOTICE_CODE_UNKNOWN)
    return _page(request, 404, *PAGES[404])


def too_many_requests(request):
    # django-allauth's login limits (docs/ARCHITECTURE.md, "Login limits") look for ROOT_URLCONF.handler429
    # before falling back to their own bare English page.
    return _page(request, 429, *PAGES[429])


def server_error(request):
    # Called while the exception is being handled: a database that does not answer is told as such.
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return _page(request, 503, *PAGES[503])
    return _page(request, 500, *PAGES[500])


def csrf_failure(request, reason=""):
    log.warning("CSRF failure on %s: %s", request.path, reason)
    return _page(request, 403, *CSRF_FAILURE)
