"""The arrears chasing record: a household's reminders and recording one; how often reminders are allowed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import committee_required
from chasing import services
from chasing.forms import PolicyForm, ReminderForm
from chasing.models import ArrearsReminder, ReminderPolicy
from estate.models import Household


def _get_household_for_reminder(request, pk):
    user = request.user
    if not (user.is_committee or user.is_building_head):
        raise PermissionDenied
    return get_object_or_404(Household.objects.visible_to(user), pk=pk)


@login_required
def remind(request, pk):
    household = _get_household_for_reminder(request, pk)
    form = ReminderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.arrears_remind(household=household, by=request.user, **form.cleaned_data)
        except services.ReminderRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The reminder is recorded."))
            return redirect("chasing:remind", pk=household.pk)
    history = ArrearsReminder.objects.filter(household=household).select_related("by")[:20]
    last = history[0] if history else None
    return render(request, "chasing/arrears_remind.html", {
        "household": household, "form": form, "history": history, "owed": services.owed_by(household),
        "next_allowed": services.next_allowed_at(last.at) if last else None,
        "min_days": ReminderPolicy.current_min_days(), "policy_form": PolicyForm(
            initial={"min_days": ReminderPolicy.current_min_days()}),
    })


@require_POST
@committee_required
def policy(request):
    form = PolicyForm(request.POST)
    if form.is_valid():
        services.reminder_policy_set(min_days=form.cleaned_data["min_days"], by=request.user)
        messages.success(request, _("Saved: households are reminded at most once every %(days)d days.") % {
            "days": form.cleaned_data["min_days"]})
    else:
        messages.error(request, _("Give a whole number of days from 1 to 365."))
    return redirect("ledger:arrears")
