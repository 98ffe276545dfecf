from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import COMMITTEE_KINDS, Role
from accounts.permissions import committee_required
from committee import services
from committee.forms import AppointmentForm, CandidateForm
from committee.models import Appointment, Candidate, Mandate
from decisions.models import Decision, Motion
from estate import panels
from estate.models import Version

KIND_ORDER = {kind: n for n, kind in enumerate(COMMITTEE_KINDS)}


def committee_page(request):
    """Public: who serves on the committee, until when, and on what authority
    (docs/ARCHITECTURE.md, "Owners' decisions").

    Queries: the active committee roles with their people, their mandates with decision or appointment. Kept as
    HTML per viewer (whose roles decide whether elections are listed) and state of the people, the decisions and
    mandates, and the notices (estate/panels.py); made afresh for someone not signed in.
    """
    user = request.user

    def make():
        mandates = Prefetch("mandates", queryset=Mandate.objects.select_related(*services.MANDATE_AUTHORITY))
        roles = list(Role.objects.filter(kind__in=COMMITTEE_KINDS, ended_at__isnull=True)
                     .select_related("user").prefetch_related(mandates))
        roles.sort(key=lambda role: (KIND_ORDER[role.kind], role.granted_at))
        rows = [(role, role.mandates.all()[0] if role.mandates.all() else None) for role in roles]
        elections = None
        if user.is_authenticated and user.is_committee:
            elections = Motion.objects.filter(kind=Motion.Kind.ELECTION).order_by("-created_at")[:10]
        return render_to_string("committee/_committee.html", {"rows": rows, "elections": elections}), ()

    content = panels.kept(request, "committee.page", PAGE_VERSIONS, make) if user.is_authenticated else make()[0]
    return render(request, "committee/committee.html", {"content": content})


PAGE_VERSIONS = (Version.PEOPLE, Version.DECISIONS, Version.NOTICES)


def _get_election_for_user(request, pk):
    """An election motion: drafts are the committee's (404 to others), published ones every resident's."""
    if not request.user.active_roles:
        raise PermissionDenied
    motions = Motion.objects.filter(kind=Motion.Kind.ELECTION)
    if not request.user.is_committee:
        motions = motions.published()
    return get_object_or_404(motions, pk=pk)


@login_required
def election(request, pk):
    """The candidates of an election motion; the committee names them while it is a draft and, once the
    owners have passed it, puts the elected committee in place."""
    motion = _get_election_for_user(request, pk)
    decision = Decision.objects.filter(motion=motion).first()
    installed = decision is not None and Mandate.objects.filter(decision=decision).exists()
    is_committee = request.user.is_committee
    return render(request, "committee/election.html", {
        "motion": motion,
        "candidates": list(motion.candidates.select_related("user")),
        "decision": decision,
        "installed": installed,
        "form": CandidateForm() if is_committee and motion.is_draft else None,
        "may_remove": is_committee and motion.is_draft,
        "may_install": is_committee and decision is not None and not installed,
    })


@require_POST
@committee_required
def candidate_add(request, pk):
    motion = _get_election_for_user(request, pk)
    form = CandidateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.candidate_add(motion=motion, user=data["user"], kind=data["kind"],
                                   term_ends=data["term_ends"], by=request.user)
        except ValidationError as error:
            _messages_from(request, error)
    else:
        _form_errors(request, form)
    return redirect("committee:election", pk=motion.pk)


@require_POST
@committee_required
def candidate_remove(request, pk, candidate_pk):
    motion = _get_election_for_user(request, pk)
    candidate = get_object_or_404(Candidate.objects.filter(motion=motion), pk=candidate_pk)
    try:
        services.candidate_remove(candidate=candidate, by=request.user)
    except ValidationError as error:
        _messages_from(request, error)
    return redirect("committee:election", pk=motion.pk)


@require_POST
@committee_required
def election_install(request, pk):
    motion = _get_election_for_user(request, pk)
    decision = get_object_or_404(Decision.objects.filter(motion=motion))
    try:
        services.election_install(decision=decision, by=request.user)
    except ValidationError as error:
        _messages_from(request, error)
        return redirect("committee:election", pk=motion.pk)
    messages.success(request, _("The committee the owners elected is in place (decision %(number)s).")
                     % {"number": decision.number})
    return redirect("committee:page")


@committee_required
def appointment_list(request):
    appointments = Appointment.objects.select_related("user", "proposed_by", "decided_by", "notice")
    return render(request, "committee/appointments.html", {
        "open": [a for a in appointments if a.is_open],
        "past": [a for a in appointments if not a.is_open][:20],
        "form": AppointmentForm() if request.user.is_chair else None,
        "elected": services.first_election_held(),
    })


def _messages_from(request, error):
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


@require_POST
@committee_required
def appointment_propose(request):
    if not request.user.is_chair:
        raise PermissionDenied
    form = AppointmentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.appointment_propose(user=data["user"], kind=data["kind"], term_ends=data["term_ends"],
                                         reason=data["reason"], by=request.user)
        except ValidationError as error:
            _messages_from(request, error)
        else:
            messages.success(request, _("Proposed. A second committee member must now confirm it."))
    else:
        _form_errors(request, form)
    return redirect("committee:appointments")


def _get_appointment_for_user(request, pk):
    """Appointments are the committee's business (the decorator); any committee member may see each."""
    return get_object_or_404(Appointment.objects.select_related("user", "proposed_by"), pk=pk)


@require_POST
@committee_required
def appointment_confirm(request, pk):
    appointment = _get_appointment_for_user(request, pk)
    try:
        services.appointment_confirm(appointment=appointment, by=request.user)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Confirmed: %(name)s is now %(role)s, and the notice is posted.") % {
            "name": appointment.user, "role": appointment.get_kind_display()})
    return redirect("committee:appointments")


@require_POST
@committee_required
def appointment_cancel(request, pk):
    appointment = _get_appointment_for_user(request, pk)
    try:
        services.appointment_cancel(appointment=appointment, by=request.user)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("The proposal is cancelled."))
    return redirect("committee:appointments")
