from django import forms
from django.utils.translation import gettext_lazy as _

from chasing.models import ArrearsReminder


class ReminderForm(forms.ModelForm):
    class Meta:
        model = ArrearsReminder
        fields = ["means", "outcome", "note", "next_step", "next_on"]
        widgets = {"means": forms.RadioSelect, "next_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As radio buttons the model's blank choice ("请选择") would be a choice of its own, and ticked: the person
        # picks how they reminded, nothing is chosen for them.
        self.fields["means"].choices = ArrearsReminder.Means.choices


class PolicyForm(forms.Form):
    min_days = forms.IntegerField(label=_("Days at least between two reminders"), min_value=1, max_value=365)
