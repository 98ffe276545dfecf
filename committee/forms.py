from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from committee.models import COMMITTEE_CHOICES


class AppointmentForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), empty_label=_("— choose —"))
    kind = forms.ChoiceField(label=_("Role"), choices=COMMITTEE_CHOICES)
    term_ends = forms.DateField(label=_("Term ends"), widget=forms.DateInput(attrs={"type": "date"}),
                                help_text=_("At the latest when the owners elect the committee; at most five years."))
    reason = forms.CharField(label=_("Reason"), max_length=200,
                             help_text=_("Printed on the notice, e.g. “the estate has not yet held its first "
                                         "election”."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("name", "username")


class CandidateForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), empty_label=_("— choose —"))
    kind = forms.ChoiceField(label=_("Role"), choices=COMMITTEE_CHOICES)
    term_ends = forms.DateField(label=_("Term ends"), widget=forms.DateInput(attrs={"type": "date"}),
                                help_text=_("At most five years."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("name", "username")
