"""Forms of the key register: they validate and normalise; the rules live in keys/services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from estate.uploads import prepare_image
from keys.models import WEEKDAYS, KeyConsent, KeyDeposit, Purpose


class ConsentForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On these days"), choices=WEEKDAYS, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For watering and airing; none ticked means any day."),
    )

    class Meta:
        model = KeyConsent
        fields = ["emergency", "plants", "airing", "repair", "weekdays", "period_start", "period_end", "notify"]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"period_start": _("For watering and airing, when you are away; may be empty.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["weekdays"] = self.instance.weekdays

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in ("emergency", "plants", "airing", "repair")):
            raise forms.ValidationError(_("Tick at least one service, or withdraw the consent."))
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data

    def consent(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DepositForm(forms.ModelForm):
    """The keys and where they hang; the household is chosen on the step before."""

    class Meta:
        model = KeyDeposit
        fields = ["depositor", "tag_number", "hook", "door_keys", "mailbox_keys", "bike_shed_keys", "description"]
        help_texts = {"tag_number": _("The number on the tag you put on the key ring: 17 for K-017.")}

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["depositor"].queryset = household.residents.filter(is_active=True)
        self.fields["depositor"].empty_label = None
        for name in ("tag_number", "hook", "door_keys", "mailbox_keys", "bike_shed_keys"):
            self.fields[name].widget.attrs.update(inputmode="numeric", min=0)

    def clean(self):
        data = super().clean()
        if sum(data.get(name) or 0 for name in ("door_keys", "mailbox_keys", "bike_shed_keys")) < 1:
            raise forms.ValidationError(_("A deposit holds at least one key."))
        return data

    def clean_tag_number(self):
        number = self.cleaned_data["tag_number"]
        if not 1 <= number <= 999:
            raise forms.ValidationError(_("Tag numbers go from 1 to 999."))
        return number

    def clean_hook(self):
        hook = self.cleaned_data["hook"]
        if hook < 1:
            raise forms.ValidationError(_("Hooks are numbered from 1."))
        return hook


class HouseholdChoiceForm(forms.Form):
    household = forms.ModelChoiceField(label=_("Household"), queryset=None, empty_label=None)

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households


class HandoverForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices, widget=forms.RadioSelect)
    emergency_reason = forms.CharField(
        label=_("What the emergency is"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for an emergency: for example, water coming through the ceiling below."),
    )
    witness = forms.ModelChoiceField(label=_("Witness"), queryset=None)

    def __init__(self, *args, witnesses, purposes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["witness"].queryset = witnesses
        self.fields["witness"].label_from_instance = lambda user: user.name or user.username
        # Services the consent covers today come first; an emergency is always possible.
        self.fields["purpose"].choices = [(p.value, p.label) for p in purposes]

    def clean(self):
        data = super().clean()
        if data.get("purpose") == Purpose.EMERGENCY and not (data.get("emergency_reason") or "").strip():
            self.add_error("emergency_reason", _("Say what the emergency is."))
        return data


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("What was done"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        return prepare_image(upload) if upload else None


class HandBackForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("Given back to"), queryset=None, empty_label=None)

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = household.residents.filter(is_active=True)


class LostForm(forms.Form):
    circumstances = forms.CharField(label=_("When and how the key was lost"), max_length=1000,
                                    widget=forms.Textarea(attrs={"rows": 4}))


class KeeperForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Volunteer"), queryset=None)

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = volunteers


class InventoryForm(forms.Form):
    """One present/missing choice per key ring in the cabinet."""

    PRESENT, MISSING = "present", "missing"
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, deposits, **kwargs):
        super().__init__(*args, **kwargs)
        self.deposits = deposits
        choices = [(self.PRESENT, _("present")), (self.MISSING, _("missing"))]
        for deposit in deposits:
            self.fields[f"tag_{deposit.pk}"] = forms.ChoiceField(
                label=deposit.tag, choices=choices, widget=forms.RadioSelect,
                error_messages={"required": _("Mark this tag present or missing.")},
            )

    def rows(self):
        return [(deposit, self[f"tag_{deposit.pk}"]) for deposit in self.deposits]

    def present(self):
        return {d.pk: self.cleaned_data[f"tag_{d.pk}"] == self.PRESENT for d in self.deposits}
