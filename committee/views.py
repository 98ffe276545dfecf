from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import COMMITTEE_KINDS, Role
from accounts.permissions import committee_required
from committee import services
from committee.forms import AppointmentForm
from committee.models import Appointment, Mandate

KIND_ORDER = {kind: n for n, kind in enumerate(COMMITTEE_KINDS)}


def committee_page(request):
    """Public: who serves on the committee, until when, and on what authority (DESIGN.md, owners' decisions).

    Queries: the active committee roles with their people, their mandates with decision or appointment.
    """
    mandates = Prefetch("mandates", queryset=Mandate.objects.select_related(*services.MANDATE_AUTHORITY))
    roles = list(Role.objects.filter(kind__in=COMMITTEE_KINDS, ended_at__isnull=True)
                 .select_related("user").prefetch_related(mandates))
    roles.sort(key=lambda role: (KIND_ORDER[role.kind], role.granted_at))
    rows = [(role, role.mandates.all()[0] if role.mandates.all() else None) for role in roles]
    return render(request, "committee/committee.html", {"rows": rows})


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
        for field, errors in form.errors.items():
            for error in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}：{error}" if label else error)
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
