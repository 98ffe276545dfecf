from urllib.parse import urlencode

import segno
from allauth.account.decorators import reauthentication_required
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base import views as mfa_views
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal import flows as totp_flows
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Min, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from accounts import services
from accounts.filters import ActivityFilter, UserFilter
from accounts.forms import InvitationForm, RoleGrantForm, SetPasswordForm
from accounts.models import ActivityRecord, Invitation, Role, User
from accounts.permissions import chair_required, committee_required
from accounts.tables import ActivityTable, InvitationTable, UserTable
from estate import cached, panels
from estate.models import Resident, Version

PER_PAGE = 50
# The open slips (migration 0005), who made them and the logins they reset with their roles (whether the viewer may
# print one); the households and buildings they are for.
INVITATION_VERSIONS = (Version.PEOPLE, Version.REGISTER)


def _active_roles():
    return Prefetch(
        "roles",
        queryset=Role.objects.filter(ended_at__isnull=True).select_related("building", "household"),
        to_attr="current_roles",
    )


def _with_totp(queryset):
    totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return queryset.annotate(has_totp=Exists(totp))


def _messages_from(request, error):
    for message in error.messages:
        messages.error(request, message)


# --- Users and roles --------------------------------------------------------------------------


@committee_required
def user_list(request):
    def content():
        users = _with_totp(User.objects.prefetch_related(_active_roles()))
        filters = UserFilter(request.GET, queryset=users)
        table = UserTable(filters.qs)
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
        return render_to_string("accounts/_user_list.html", {"filter": filters, "table": table}, request)

    return render(request, "accounts/user_list.html", {"content": _kept(request, "users", content)})


def _kept(request, name, make):
    """A list of logins or of the activity log, made once per state of the people and of the register (their
    roles name buildings and households; the log names what it touched, and every change writes to it)."""
    return cached.kept(request, name, make, versions=(Version.PEOPLE, Version.REGISTER))


def _get_user_for_user(request, pk):
    """Every login is the committee's to see; nobody else reaches these pages (the decorator)."""
    return get_object_or_404(_with_totp(User.objects.all()), pk=pk)


@committee_required
def user_detail(request, pk):
    person = _get_user_for_user(request, pk)
    roles = person.roles.select_related("building", "household", "granted_by", "ended_by")
    return render(request, "accounts/user_detail.html", {
        "person": person,
        "active_roles": [role for role in roles if role.is_active],
        "ended_roles": [role for role in roles if not role.is_active],
        "invitations": person.invitations.open().select_related("created_by"),
        "grant_form": RoleGrantForm() if request.user.is_chair else None,
        "may_reset": services.may_invite(request.user, user=person),
    })


@require_POST
@chair_required
def role_grant(request, pk):
    person = _get_user_for_user(request, pk)
    form = RoleGrantForm(request.POST)
    if form.is_valid():
        try:
            role = services.role_grant(
                user=person, kind=form.cleaned_data["kind"], building=form.cleaned_data["building"],
                household=form.cleaned_data["household"], by=request.user,
            )
        except ValidationError as error:
            _messages_from(request, error)
        else:
            messages.success(request, _("%(user)s is now %(role)s.") % {"user": person, "role": role})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("accounts:user-detail", pk=person.pk)


@require_POST
@chair_required
def role_withdraw(request, pk):
    role = get_object_or_404(Role.objects.select_related("user", "building", "household"), pk=pk)
    try:
        services.role_withdraw(role=role, by=request.user)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("%(role)s withdrawn from %(user)s.") % {"role": role, "user": role.user})
    return redirect("accounts:user-detail", pk=role.user_id)


# --- Invitations ------------------------------------------------------------------------------


def _get_invitation_for_user(request, pk):
    return get_object_or_404(
        Invitation.objects.select_related("household", "building", "resident", "user", "created_by"), pk=pk
    )


@committee_required
def invitation_list(request):
    # The roles of the login a slip resets, in the place User.active_roles reads them from: whether the
    # viewer may print a slip (accounts.services.may_print) costs no query per row.
    users_roles = Prefetch("user__roles", queryset=Role.objects.filter(ended_at__isnull=True), to_attr="active_roles")

    def make(form_token):
        # Kept whole per viewer and page (estate.panels.kept_page), the table's template being most of the
        # request, until the first open slip expires and leaves the list.
        invitations = (Invitation.objects.open().select_related("household", "building", "created_by", "user")
                       .prefetch_related(users_roles))
        table = InvitationTable(invitations, viewer=request.user)
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
        html = render_to_string("accounts/invitation_list.html", {"table": table, "csrf_token": form_token}, request)
        return html, [invitations.aggregate(first=Min("expires_at"))["first"]]

    return panels.kept_page(request, "accounts.invitations", INVITATION_VERSIONS, make)


@committee_required
def invitation_new(request):
    initial = {}
    resident_pk = request.GET.get("resident", "")
    resident = Resident.objects.filter(pk=resident_pk, user__isnull=True).first() if resident_pk.isdigit() else None
    if resident:
        initial = {"name": resident.name, "household": resident.household_id, "resident": resident.pk}
    form = InvitationForm(request.POST or None, initial=initial, by=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invitation_create(
                by=request.user, name=data["name"], role_kind=data["role_kind"], household=data["household"],
                building=data["building"], resident=data["resident"], valid_for=data["valid_for"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("accounts:invitation-slip", pk=invitation.pk)
    return render(request, "accounts/invitation_new.html", {"form": form})


@require_POST
@committee_required
def invitation_reset(request, pk):
    person = _get_user_for_user(request, pk)
    # A committee member may not hand themselves another member's login: the service answers 403.
    invitation = services.invitation_create(by=request.user, name=str(person), user=person)
    return redirect("accounts:invitation-slip", pk=invitation.pk)


def _qr_svg(url):
    # Inline SVG: printed sharp at any size, and nothing fetched from elsewhere (CSP).
    qr = segno.make(url, error="m", boost_error=False)
    return mark_safe(qr.svg_inline(scale=4, border=2, omitsize=True, title=url))  # segno escapes the title


@committee_required
def invitation_slip(request, pk):
    invitation = _get_invitation_for_user(request, pk)
    # A member sees the chair's slips in the list, but printing one would hand over a committee login.
    if not services.may_print(request.user, invitation):
        raise PermissionDenied
    url = settings.SITE_URL + reverse("accounts:invitation-accept", kwargs={"token": invitation.token})
    return render(request, "accounts/invitation_slip.html", {
        "invitation": invitation,
        "url": url,
        "qr": _qr_svg(url) if invitation.is_usable else None,
        "login_url": settings.SITE_URL + reverse("account_login"),
        "valid_days": (invitation.expires_at - invitation.created_at).days,
    })


@require_POST
@committee_required
def invitation_revoke(request, pk):
    invitation = _get_invitation_for_user(request, pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("The invitation for %(name)s no longer works.") % {"name": invitation.name})
    return redirect("accounts:invitation-list")


@never_cache
def invitation_accept(request, token):
    """Public: whoever holds the slip sets the password. The token is the permission."""
    invitation = Invitation.objects.select_related("household", "building", "user").filter(token=token).first()
    if invitation is None:
        return render(request, "accounts/invitation_unusable.html", {"status": None}, status=404)
    if not invitation.is_usable:
        return render(request, "accounts/invitation_unusable.html", {"status": invitation.status}, status=410)
    form = SetPasswordForm(request.POST or None, invitation=invitation,
                           initial={"username": invitation.suggested_username()} if not request.POST else None)
    if form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation, username=form.cleaned_data.get("username", ""),
                password=form.cleaned_data["password1"],
            )
        except services.InvitationUnusable as unusable:
            return render(request, "accounts/invitation_unusable.html", {"status": unusable.status}, status=410)
        except ValidationError as error:
            form.add_error("username" if error.code == "username_taken" else None, error)
        else:
            return _welcome(request, user, reset=invitation.is_password_reset)
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form})


def _welcome(request, user, *, reset):
    if is_mfa_enabled(user):
        # Two-factor login stays in force: the new password alone does not let anyone in.
        messages.success(request, _("Your new password is set. Please log in with it and your authenticator app."))
        return redirect("account_login")
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    if reset:
        messages.success(request, _("Your new password is set."))
    else:
        messages.success(request, _("Welcome! Remember your username: %(username)s") % {"username": user.username})
    return redirect(settings.LOGIN_REDIRECT_URL)


# --- Activity log -----------------------------------------------------------------------------


@committee_required
def activity(request):
    def content():
        records = ActivityRecord.objects.select_related("actor", "target_type")
        filters = ActivityFilter(request.GET, queryset=records)
        table = ActivityTable(filters.qs)
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
        return render_to_string("accounts/_activity.html", {"filter": filters, "table": table}, request)

    return render(request, "accounts/activity.html", {"content": _kept(request, "activity", content)})


# --- Two-step login set-up ---------------------------------------------------------------------
# allauth's own set-up page shows a QR code that the phone displaying it cannot scan and the key in a
# disabled box, then ends on the recovery codes. Most committee members have one phone: this page gives
# the key as large text to copy into the authenticator (or a link that opens it), and afterwards
# returns them to the payment or approval they had started.


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@login_required
@reauthentication_required(allow_get=False, app="allauth.mfa")
def two_step_setup(request):
    next_url = _safe_next(request)
    if is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
        return redirect(next_url or "mfa_index")
    form = ActivateTOTPForm(request.POST or None, user=request.user)
    if form.is_valid():
        totp_flows.activate_totp(request, form)
        done = reverse("accounts:two-step-done")
        return redirect(f"{done}?{urlencode({'next': next_url})}" if next_url else done)
    url = get_mfa_adapter().build_totp_url(request.user, form.secret)
    qr = segno.make(url, error="m", boost_error=False)
    return render(request, "accounts/two_step_setup.html", {
        "form": form, "next": next_url, "otpauth_url": url,
        "secret_groups": [form.secret[i:i + 4] for i in range(0, len(form.secret), 4)],
        "qr": mark_safe(qr.svg_inline(scale=4, border=2, omitsize=True)),  # segno's own SVG, nothing of ours in it
    })


@login_required
def two_step_index(request):
    """allauth's page of one's two-step login (mfa_index), kept whole per viewer under the people's token, which
    watches the authenticators (estate.panels.kept_page): allauth's element templates and the recovery codes
    worked out from their seed were most of the request, for a page that changes when a code is used."""
    def make(form_token):
        response = mfa_views.index(request)  # not yet rendered: what the page's context gives wins over the token's
        response.context_data["csrf_token"] = form_token
        return response.render().content.decode(), ()

    return panels.kept_page(request, "accounts.two_step", (Version.PEOPLE,), make)


@login_required
@reauthentication_required(allow_get=False, app="allauth.mfa")
def two_step_done(request):
    """The recovery codes to write down, and the way back to what the person had started."""
    codes = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.RECOVERY_CODES).first()
    return render(request, "accounts/two_step_done.html", {
        "codes": codes.wrap().get_unused_codes() if codes else [], "next": _safe_next(request),
    })
