from datetime import timedelta

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import COMMITTEE_KINDS, Role, User
from accounts.services import may_invite
from estate.models import Building, Household, Resident

CHOOSE = _("— choose —")
VALIDITY_CHOICES = [(3, _("3 days")), (7, _("7 days")), (14, _("14 days")), (30, _("30 days"))]


def _households():
    return Household.objects.filter(is_active=True).select_related("building")


class ScopedRoleForm(forms.Form):
    """A role kind with the building or household it needs."""

    building = forms.ModelChoiceField(
        label=_("Building (for a building head)"), queryset=Building.objects.all(), required=False,
        empty_label=CHOOSE,
    )
    household = forms.ModelChoiceField(
        label=_("Household (for a resident)"), queryset=None, required=False, empty_label=CHOOSE
    )

    kind_field = "kind"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = _households()

    def clean(self):
        data = super().clean()
        kind = data.get(self.kind_field)
        if kind == Role.Kind.BUILDING_HEAD and not data.get("building"):
            self.add_error("building", _("A building head needs a building."))
        if kind == Role.Kind.RESIDENT and not data.get("household"):
            self.add_error("household", _("A resident needs a household."))
        return data


class RoleGrantForm(ScopedRoleForm):
    # Committee roles are not the chair's to give (committee.services).
    kind = forms.ChoiceField(label=_("Role"), choices=[
        (kind, label) for kind, label in Role.Kind.choices if kind not in COMMITTEE_KINDS
    ])
    field_order = ["kind", "building", "household"]


class InvitationForm(ScopedRoleForm):
    name = forms.CharField(label=_("Name"), max_length=50, help_text=_("As the person is known in the estate."))
    role_kind = forms.ChoiceField(label=_("Role"), choices=Role.Kind.choices, initial=Role.Kind.RESIDENT)
    resident = forms.ModelChoiceField(
        label=_("Entry in the register"), required=False, empty_label=CHOOSE,
        queryset=Resident.objects.none(),
        help_text=_("Optional: the register entry of this person; it is linked to the new login."),
    )
    valid_days = forms.TypedChoiceField(
        label=_("Valid for"), choices=VALIDITY_CHOICES, coerce=int, initial=14
    )
    field_order = ["name", "role_kind", "household", "resident", "building", "valid_days"]
    kind_field = "role_kind"

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role_kind"].choices = [
            (kind, label) for kind, label in Role.Kind.choices if may_invite(by, role_kind=kind)
        ]
        self.fields["resident"].queryset = (
            Resident.objects.filter(is_active=True, user__isnull=True).select_related("household")
        )

    def clean(self):
        data = super().clean()
        resident, household = data.get("resident"), data.get("household")
        if data.get("role_kind") == Role.Kind.RESIDENT and resident and household:
            if resident.household_id != household.pk:
                self.add_error("resident", _("This person does not live in that household."))
        data["valid_for"] = timedelta(days=data.get("valid_days") or 14)
        return data


class SetPasswordForm(forms.Form):
    """What a resident fills in on the phone: a username (for a new login) and a password twice."""

    username = forms.CharField(
        label=_("Username"), max_length=40,
        help_text=_("You will type it to log in. Letters, digits, - and _ only; your unit number works well."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False,
        help_text=_("At least 8 characters, not only digits, not easy to guess."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        if invitation.is_password_reset:
            del self.fields["username"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        UnicodeUsernameValidator()(username)
        # Logins take a username or an e-mail address; a username with @ would be read as the latter.
        if "@" in username:
            raise forms.ValidationError(_("A username cannot contain @."))
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken. Please choose another."))
        return username

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same. Please type them again."))
        elif password1:
            user = self.invitation.user or User(username=data.get("username", ""), name=self.invitation.name)
            try:
                password_validation.validate_password(password1, user=user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
