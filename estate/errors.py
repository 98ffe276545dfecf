"""Error pages in the site's own layout and language, each with a way home (docs/ARCHITECTURE.md, "Errors").

Every page here renders without the database: the template (templates/errors/page.html) never touches
`user`, `messages` or the session, and nothing here runs a query. So the 500 page works when the
database is what failed, and a database that does not answer gets its own 503 page.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.shortcuts import render
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
    503: (_("The site is resting for a moment"),
          _("The site cannot reach its records just now. Please try again in a few minutes.")),
}
CSRF_FAILURE = (_("This form has expired"),
                _("For your safety, a form can only be sent from a page of this site opened in the last "
                  "while. Go back, reload the page, and send the form again."))
NOTICE_CODE_UNKNOWN = (_("No notice has this code"),
                       _("The code does not belong to any posted accounts notice. Check the letters printed "
                         "under the QR code on the notice board, or scan the code again."))


def _page(request, status, title, explanation, **extra):
    response = render(request, "errors/page.html", {
        "status": status, "title": title, "explanation": explanation, **extra,
    }, status=status)
    if status == 503:
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


def server_error(request):
    # Called while the exception is being handled: a database that does not answer is told as such.
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return _page(request, 503, *PAGES[503])
    return _page(request, 500, *PAGES[500])


def csrf_failure(request, reason=""):
    log.warning("CSRF failure on %s: %s", request.path, reason)
    return _page(request, 403, *CSRF_FAILURE)
