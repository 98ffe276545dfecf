"""Who may do what: the decorators every view uses.

A visitor who is not logged in is sent to the login page; a logged-in user
whose role does not allow the page gets 403. Objects outside a user's reach
answer 404, decided by each app's `_get_<object>_for_user` helper.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
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


def money_mfa_required(view):
    """Chair and treasurer act on money only after setting up two-factor login."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.needs_mfa_for_money:
            messages.warning(
                request,
                _("Please set up two-factor login (an authenticator app) before you work with the estate's money."),
            )
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapped
