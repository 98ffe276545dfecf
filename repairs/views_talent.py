"""The talent pool (能人库) and the contractors: kept by the committee; volunteers keep their own profile."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import committee_required, role_required
from estate import panels
from repairs import services
from repairs.forms import ContractorForm, VolunteerForm
from repairs.models import Contractor, Ticket, Volunteer
from repairs.views import LIST_VERSIONS

_OPEN_JOBS = Count("tickets", filter=Q(tickets__status__in=Ticket.OPEN))


@committee_required
def talent_pool(request):
    """Volunteers and contractors with their open jobs.

    Queries, whatever the number of people: session, user with its roles, the state, volunteers, contractors. Kept
    as HTML per viewer and state of the repairs, the register and the people (estate/panels.py): session, user,
    the state.
    """

    def make():
        volunteers = Volunteer.objects.select_related("user").annotate(open_jobs=_OPEN_JOBS)
        contractors = Contractor.objects.annotate(open_jobs=_OPEN_JOBS)
        return render_to_string("repairs/_talent_pool.html", {"volunteers": volunteers, "contractors": contractors}), ()

    return render(request, "repairs/talent_pool.html", {
        "content": panels.kept(request, "repairs.talent", LIST_VERSIONS, make)})


def _fields(form):
    return {name: value for name, value in form.cleaned_data.items() if name != "user"}


@committee_required
def volunteer_edit(request, pk=None):
    volunteer = get_object_or_404(Volunteer.objects.select_related("user"), pk=pk) if pk else None
    form = VolunteerForm(request.POST or None, instance=volunteer)
    if form.is_valid():
        volunteer = services.volunteer_save(by=request.user, volunteer=volunteer,
                                            user=form.cleaned_data.get("user"), **_fields(form))
        messages.success(request, _("%(name)s's profile is saved.") % {"name": volunteer})
        return redirect("repairs:talent")
    return render(request, "repairs/volunteer_form.html", {"form": form, "volunteer": volunteer})


@role_required(Role.Kind.VOLUNTEER)
def my_profile(request):
    """A volunteer says what they can do and when."""
    volunteer = Volunteer.objects.filter(user=request.user).first()
    form = VolunteerForm(request.POST or None, instance=volunteer, own=True)
    if form.is_valid():
        services.volunteer_save(by=request.user, volunteer=volunteer, user=request.user, **_fields(form))
        messages.success(request, _("Your profile is saved. Thank you for helping your neighbours."))
        return redirect("repairs:list")
    return render(request, "repairs/volunteer_form.html", {"form": form, "volunteer": volunteer, "own": True})


@committee_required
def contractor_edit(request, pk=None):
    contractor = get_object_or_404(Contractor, pk=pk) if pk else None
    form = ContractorForm(request.POST or None, instance=contractor)
    if form.is_valid():
        contractor = services.contractor_save(by=request.user, contractor=contractor, **form.cleaned_data)
        messages.success(request, _("%(name)s is saved.") % {"name": contractor})
        return redirect("repairs:talent")
    return render(request, "repairs/contractor_form.html", {"form": form, "contractor": contractor})
