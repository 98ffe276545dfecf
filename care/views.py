"""Care pages: today's checks on a phone, agreements, alerts, visits due.

Who sees what (docs/ARCHITECTURE.md, "Care and messages"): an agreement and its alerts only the person, their buddy
and backup, the building head and the committee; anyone else gets 404. Acting needs more:
a check only the buddies or the person (403 for anyone else), an agreement only the committee.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import committee_required
from care import services
from care.forms import AgreementForm, AlertKeyForm, EndForm, PauseForm, ResolveForm
from care.models import Agreement, Alert, Check
from care.services import CareRefused
from care.visits import visits as visits_of
from estate import panels
from estate.models import Version, mask_phone
from keys import access as key_access
from keys.dashboard import VERSIONS as KEY_VERSIONS
from keys.models import KeyDeposit


def _agreements(user):
    return Agreement.objects.visible_to(user).select_related("household", "person", "buddy", "backup")


def _get_agreement_for_user(request, pk):
    return get_object_or_404(_agreements(request.user), pk=pk)


def _get_alert_for_user(request, pk):
    visible = Agreement.objects.visible_to(request.user).values("pk")
    return get_object_or_404(Alert.objects.filter(agreement__in=visible).select_related(
        "agreement__household__building", "agreement__person", "agreement__buddy", "agreement__backup",
        "resolved_by", "handover"), pk=pk)


def _family(agreement, user):
    """Family contacts: whole numbers for the committee and the person only (docs/ARCHITECTURE.md,
    "Personal information")."""
    whole = user.is_committee or agreement.is_person(user)
    return [(name, phone if whole else mask_phone(phone)) for name, phone in agreement.family_contacts()]


def _refused(request, error, form=None):
    if form is not None:
        form.add_error(None, str(error))
    else:
        messages.error(request, str(error))


# What the care pages read, kept as HTML under their tokens (estate/panels.py): agreements, checks and alerts; the
# households' codes and who a person looked after is; the logins and roles that decide who sees what.
VERSIONS = (Version.CARE, Version.REGISTER, Version.PEOPLE)


@login_required
def today(request):
    """The phone worklist: today's checks this person makes (or their own "I am fine today"), and open alerts.
    Kept as HTML per viewer, day and state of the care, the register and the people (estate/panels.py); the form
    token differs per session, so it is put in at each request."""
    user = request.user
    day = timezone.localdate()

    def make(form_token):
        mine = [a for a in _agreements(user).in_force().prefetch_related(
            Prefetch("checks", queryset=Check.objects.filter(day=day), to_attr="today_checks"))
            if a.may_record(user) and a.is_due_on(day)]
        mine.sort(key=lambda a: (bool(a.today_checks), a.deadline, a.household.code))
        alerts = list(Alert.objects.filter(resolved_at__isnull=True, agreement__in=_agreements(user).values("pk"))
                      .select_related("agreement__household"))
        return render_to_string("care/_today.html", {
            "checks": mine, "alerts": alerts, "user": user, "csrf_token": form_token}), ()

    return render(request, "care/today.html", {
        "content": panels.kept_form(request, "care.today", VERSIONS, make), "day": day})


@login_required
def agreements(request):
    """Kept whole per viewer under the care's tokens (estate.panels.kept_page), in this process's memory like the
    other care pages: the layout was most of the request."""
    def make(form_token):
        rows = list(_agreements(request.user).exclude(status=Agreement.Status.ENDED))
        return render_to_string("care/agreements.html", {"agreements": rows, "csrf_token": form_token}, request), ()

    return panels.kept_page(request, "care.agreements", VERSIONS, make)


@committee_required
def agreement_new(request):
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(by=request.user, **form.service_fields())
        except CareRefused as error:
            _refused(request, error, form)
        else:
            messages.success(request, _("The agreement is recorded. The buddy is told."))
            return redirect(agreement)
    return render(request, "care/agreement_form.html", {"form": form})


@login_required
def agreement(request, pk):
    agreement = _get_agreement_for_user(request, pk)
    services.agreement_viewed(agreement=agreement, by=request.user)
    user = request.user
    return render(request, "care/agreement.html", {
        "agreement": agreement,
        "alerts": agreement.alerts.select_related("resolved_by")[:10],
        "checks": agreement.checks.select_related("by")[:7],
        "may_pause": user.is_committee or agreement.is_person(user),
        "pause_form": PauseForm(), "end_form": EndForm(),
        "person_phone": agreement.person.phone_for(user),
        "family": _family(agreement, user),
    })


@committee_required
def agreement_edit(request, pk):
    agreement = _get_agreement_for_user(request, pk)
    form = AgreementForm(request.POST or None, instance=Agreement.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(agreement=agreement, by=request.user, **form.service_fields())
        except CareRefused as error:
            _refused(request, error, form)
        else:
            messages.success(request, _("The agreement is changed."))
            return redirect(agreement)
    return render(request, "care/agreement_form.html", {"form": form, "agreement": agreement})


def _agreement_action(request, pk, form_class, action, success):
    agreement = _get_agreement_for_user(request, pk)
    if not (request.user.is_committee or agreement.is_person(request.user)):
        raise PermissionDenied
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(agreement)
    try:
        action(agreement, form.cleaned_data if form else {})
    except CareRefused as error:
        _refused(request, error)
    else:
        messages.success(request, success)
    return redirect(agreement)


@require_POST
@login_required
def agreement_pause(request, pk):
    return _agreement_action(request, pk, PauseForm, lambda a, d: services.agreement_pause(
        agreement=a, by=request.user, **d), _("The checks are paused."))


@require_POST
@login_required
def agreement_resume(request, pk):
    return _agreement_action(request, pk, None, lambda a, d: services.agreement_resume(agreement=a, by=request.user),
                             _("The checks resume."))


@require_POST
@login_required
def agreement_end(request, pk):
    return _agreement_action(request, pk, EndForm, lambda a, d: services.agreement_end(
        agreement=a, by=request.user, **d), _("The agreement has ended; the buddies are told."))


@require_POST
@login_required
def check_record(request, pk):
    """One tap. Only the buddy, the backup or the person may record the sign: anyone else gets 403."""
    agreement = get_object_or_404(Agreement, pk=pk)
    if not agreement.may_record(request.user):
        raise PermissionDenied
    try:
        services.check_record(agreement=agreement, by=request.user)
    except CareRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("Recorded. Thank you."))
    return redirect("care:today")


@login_required
def alert(request, pk):
    alert = _get_alert_for_user(request, pk)
    user = request.user
    may_act = services.may_act_on_alert(alert, user)
    return render(request, "care/alert.html", {
        "alert": alert, "agreement": alert.agreement, "may_act": may_act and alert.is_open,
        "resolve_form": ResolveForm(),
        "may_open": alert.is_open and alert.agreement.key_opening and key_access.is_keeper_on_duty(user) and may_act,
        "family": _family(alert.agreement, user),
        "person_phone": alert.agreement.person.phone_for(user),
    })


@require_POST
@login_required
def alert_resolve(request, pk):
    alert = _get_alert_for_user(request, pk)
    if not services.may_act_on_alert(alert, request.user):
        raise PermissionDenied
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.alert_resolve(alert=alert, by=request.user, **form.cleaned_data)
        except CareRefused as error:
            _refused(request, error)
        else:
            messages.success(request, _("The alert is resolved; everyone told is told what you found."))
            return redirect(alert)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(alert)


@login_required
def alert_key(request, pk):
    """The emergency key hand-over from an open alert, reason filled in: the keeper's confirmation, then a witness's."""
    alert = _get_alert_for_user(request, pk)
    user = request.user
    if not (services.may_act_on_alert(alert, user) and key_access.is_keeper_on_duty(user)):
        raise PermissionDenied
    household = alert.agreement.household
    witnesses = (key_access.possible_witnesses().exclude(pk=user.pk)
                 .exclude(pk__in=household.member_logins()).order_by("name", "username"))
    form = AlertKeyForm(request.POST or None, witnesses=witnesses, initial={"reason": services.alert_reason(alert)})
    if request.method == "POST" and form.is_valid():
        try:
            handover = services.alert_key_handover(alert=alert, by=user, **form.cleaned_data)
        except CareRefused as error:
            _refused(request, error, form)
        else:
            messages.success(request, _("You have confirmed. Now %(witness)s confirms on their own phone; only then "
                                        "is the key out.") % {"witness": handover.witness})
            return redirect("keys:handover", pk=handover.pk)
    return render(request, "care/alert_key.html", {
        "alert": alert, "form": form, "deposit": services.emergency_deposit(household)})


@login_required
def visits(request):
    """Key keepers: every visit due, done or missed. A household: its own, with what was done."""
    user = request.user
    keeper = key_access.is_keeper_on_duty(user)
    if keeper:
        deposits, shows_household = KeyDeposit.objects.all(), True
    elif user.is_resident or user.is_volunteer:
        # A household sees its own visits; a volunteer who keeps no keys (yet) sees an empty list, not a refusal.
        deposits, shows_household = KeyDeposit.objects.filter(household_id__in=user.household_ids), True
    else:
        raise PermissionDenied

    def make():
        rows = visits_of(deposits=deposits)
        return render_to_string("care/_visits.html", {
            "rows": rows, "shows_household": shows_household,
            "missed": sum(1 for row in rows if row.status == "missed"),
        }), ()

    # Kept as HTML per viewer, day and state of the keys, the households and the keepers (estate/panels.py): what
    # is done, due or missed changes with the day and with the hand-overs alone. Whether the viewer keeps keys is
    # read before the tokens, so the HTML is kept under what was decided too.
    return render(request, "care/visits.html", {
        "content": panels.kept(request, f"care.visits.{'all' if keeper else 'own'}", KEY_VERSIONS, make)})
