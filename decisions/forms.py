"""Forms validate and normalise; decisions/services.py does the writing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from decisions.models import Assembly, Ballot, Motion, Proxy, RollEntry
from estate.models import Household
from estate.uploads import prepare_document


class NoSuffix:
    """Labels stand on their own line above the field: no colon after them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ScanField(forms.FileField):
    """A photo or PDF of a signed paper, checked and cleaned by estate.uploads; cleaned to a PreparedFile."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("A photo or PDF of the signed paper, at most 10 MB."))
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return prepare_document(upload) if upload else None


class AssemblyForm(NoSuffix, forms.ModelForm):
    class Meta:
        model = Assembly
        fields = ["title", "form", "description"]
        widgets = {"form": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 3})}


class MotionForm(NoSuffix, forms.ModelForm):
    class Meta:
        model = Motion
        fields = ["title", "kind", "text", "voting_starts", "voting_ends", "accepts", "public_shows_units"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 10}),
            "voting_starts": DateTimeInput, "voting_ends": DateTimeInput,
            "accepts": forms.RadioSelect,
        }

    def clean(self):
        data = super().clean()
        starts, ends = data.get("voting_starts"), data.get("voting_ends")
        if starts and ends and ends <= starts:
            self.add_error("voting_ends", _("Voting must end after it starts."))
        return data


class AttachmentForm(NoSuffix, forms.Form):
    file = ScanField(label=_("Attachment"), help_text=_("A quote, a budget or a drawing: a photo or PDF, at most "
                                                        "10 MB."))


CHOICE_WIDGET = forms.RadioSelect(attrs={"class": "vote-choice"})


class VoteForm(NoSuffix, forms.Form):
    choice = forms.ChoiceField(label=_("Your vote"), choices=Ballot.Choice.choices, widget=CHOICE_WIDGET)


class ChangeVoteForm(NoSuffix, forms.Form):
    choice = forms.ChoiceField(label=_("Your vote now"), choices=Ballot.Choice.choices, widget=CHOICE_WIDGET)
    reason = forms.CharField(label=_("Why you change it"), max_length=300,
                             help_text=_("Kept with the new ballot; both ballots stay on record."))


class PaperBallotForm(NoSuffix, forms.Form):
    household = forms.ModelChoiceField(label=_("Unit"), queryset=Household.objects.none())
    choice = forms.ChoiceField(label=_("Choice on the paper"), choices=Ballot.Choice.choices, widget=CHOICE_WIDGET)
    voter_name = forms.CharField(label=_("Signed by"), max_length=100)
    proxy = forms.ModelChoiceField(label=_("Signed under a written proxy"), queryset=Proxy.objects.none(),
                                   required=False, help_text=_("Leave empty when the owner signed."))
    scan = ScanField(label=_("Scan of the paper ballot"))

    def __init__(self, *args, motion, **kwargs):
        super().__init__(*args, **kwargs)
        voted = Ballot.objects.filter(motion=motion).values("household")
        self.fields["household"].queryset = (Household.objects.filter(
            pk__in=RollEntry.objects.filter(motion=motion).values("household")).exclude(pk__in=voted)
            .order_by("code"))
        self.fields["proxy"].queryset = Proxy.objects.filter(revoked_at__isnull=True).select_related("household")

    def clean(self):
        data = super().clean()
        proxy, household = data.get("proxy"), data.get("household")
        if proxy and household and proxy.household_id != household.pk:
            self.add_error("proxy", _("That proxy is for another unit."))
        return data


class ConfirmBallotForm(NoSuffix, forms.Form):
    choice = forms.ChoiceField(label=_("What does the paper say?"), choices=Ballot.Choice.choices,
                               widget=CHOICE_WIDGET)


class CorrectBallotForm(NoSuffix, forms.Form):
    choice = forms.ChoiceField(label=_("Correct choice"), choices=Ballot.Choice.choices, widget=CHOICE_WIDGET)
    voter_name = forms.CharField(label=_("Signed by"), max_length=100)
    reason = forms.CharField(label=_("Why is it corrected?"), max_length=200)
    scan = ScanField(label=_("Scan of the paper"),
                     help_text=_("The corrected ballot, or the owner's signed request to change the vote."))


class OwnerForm(NoSuffix, forms.Form):
    name = forms.CharField(label=_("Owner's name"), max_length=100)
    note = forms.CharField(label=_("Note"), max_length=200, required=False,
                           help_text=_("How the committee knows, for example: property certificates seen."))
    households = forms.ModelMultipleChoiceField(
        label=_("Units of this owner"), queryset=Household.objects.filter(is_active=True).order_by("code"),
        widget=forms.CheckboxSelectMultiple)


class ProxyForm(NoSuffix, forms.Form):
    household = forms.ModelChoiceField(label=_("Unit"), queryset=Household.objects.filter(is_active=True)
                                       .order_by("code"))
    grantor_name = forms.CharField(label=_("Owner who signed"), max_length=100)
    holder = forms.ModelChoiceField(label=_("Proxy holder's login"), queryset=User.objects.filter(is_active=True)
                                    .order_by("username"), required=False,
                                    help_text=_("Empty when the holder has no login and signs paper ballots only."))
    holder_name = forms.CharField(label=_("Proxy holder's name"), max_length=100)
    assembly = forms.ModelChoiceField(label=_("For the assembly"), queryset=Assembly.objects.all(), required=False,
                                      help_text=_("Empty: for every vote until the end date."))
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput)
    scan = ScanField(label=_("Scan of the signed proxy"))


class RevokeForm(NoSuffix, forms.Form):
    reason = forms.CharField(label=_("Why is it revoked?"), max_length=200)
