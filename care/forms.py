from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from care.models import Agreement, Alert
from care.services import RESOLVE_OUTCOMES
from estate.models import Resident
from keys.models import WEEKDAYS


def people_who_can_check():
    """Buddies: any active login with a role (neighbours, volunteers, building heads, the committee)."""
    return User.objects.filter(is_active=True, roles__ended_at__isnull=True).distinct().order_by("name", "username")


class AgreementForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On these days"), choices=WEEKDAYS, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every day."))

    class Meta:
        model = Agreement
        fields = ["person", "sign", "deadline", "weekdays", "buddy", "backup", "family_name", "family_phone",
                  "family2_name", "family2_phone", "key_opening", "consent_by", "consent_name", "consent_relation"]
        widgets = {"deadline": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Resident.objects.filter(is_active=True).select_related("household")
        self.fields["buddy"].queryset = self.fields["backup"].queryset = people_who_can_check()
        if self.instance.pk:
            del self.fields["person"]
            for name in ("consent_by", "consent_name", "consent_relation"):
                del self.fields[name]  # consent is recorded once; new consent means a new agreement

    def clean(self):
        data = super().clean()
        if data.get("consent_by") == Agreement.ConsentBy.FAMILY and not (data.get("consent_relation") or "").strip():
            self.add_error("consent_relation", _("Say how the family member who consented is related to the person."))
        if data.get("buddy") and data.get("backup") and data["buddy"] == data["backup"]:
            self.add_error("backup", _("The backup buddy must be another person than the buddy."))
        for name in ("family_phone", "family2_phone"):
            phone = (data.get(name) or "").replace(" ", "")
            if phone and not (phone.isdigit() and 7 <= len(phone) <= 15):
                self.add_error(name, _("A phone number has 7 to 15 digits."))
            data[name] = phone
        return data

    def service_fields(self):
        data = dict(self.cleaned_data)
        if "person" in data:
            data["household"] = data["person"].household
        return data


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=100,
                             help_text=_("For example: visiting my daughter, in hospital."))
    until = forms.DateField(label=_("Until (optional)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))


class EndForm(forms.Form):
    reason = forms.CharField(label=_("Who withdrew the consent, or why it ends"), max_length=200)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("What you found"), widget=forms.RadioSelect,
                                choices=[(o.value, o.label) for o in RESOLVE_OUTCOMES])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("outcome") in (Alert.Outcome.EMERGENCY_CALL, Alert.Outcome.HOSPITAL) and not (
                data.get("note") or "").strip():
            self.add_error("note", _("Write down what happened, for the family and the committee."))
        return data


class AlertKeyForm(forms.Form):
    witness = forms.ModelChoiceField(label=_("Witness"), queryset=User.objects.none())
    reason = forms.CharField(label=_("What the emergency is"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, witnesses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["witness"].queryset = witnesses

