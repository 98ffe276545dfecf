"""Who may do what: the decorators every view uses.

A visitor who is not logged in is sent to the login page; a logged-in user
whose role does not allow the page gets 403. Objects outside a user's reach
answer 404, decided by each app's `_get_<object>_for_user` helper.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.models import COMMITTEE_KINDS, Role


def role_required(*kinds):
    """The user holds at least one of `kinds` (Role.Kind values)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*kinds):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


committee_required = role_required(*COMMITTEE_KINDS)
chair_required = role_required(Role.Kind.CHAIR)
# The treasurer keeps the books; the chair and members may stand in (docs/ARCHITECTURE.md, "People and roles").
treasurer_required = role_required(*COMMITTEE_KINDS)


def _page_to_return_to(request):
    """Where the person was when they started: this page for a GET, the page holding the form for a POST."""
    if request.method == "GET":
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def money_mfa_required(view):
    """Whoever moves or approves money does so only after setting up two-factor login.

    They are sent to the set-up page and, once it is done, back to the page they started from.
    """

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.needs_mfa_for_money:
            messages.warning(
                request,
                _("Please set up two-factor login (an authenticator app) before you work with the estate's money."),
            )
            return redirect(f"{reverse('accounts:two-step')}?{urlencode({'next': _page_to_return_to(request)})}")
        return view(request, *args, **kwargs)

    wrapped.money_action = True  # tests/accounts/test_two_step.py finds every money URL by this mark
    return wrapped
