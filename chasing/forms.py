from django import forms
from django.utils.translation import gettext_lazy as _

from chasing.models import ArrearsReminder


class ReminderForm(forms.ModelForm):
    class Meta:
        model = ArrearsReminder
        fields = ["means", "outcome", "note", "next_step", "next_on"]
        widgets = {"means": forms.RadioSelect, "next_on": forms.DateInput(attrs={"type": "date"})}


class PolicyForm(forms.Form):
    min_days = forms.IntegerField(label=_("Days at least between two reminders"), min_value=1, max_value=365)
