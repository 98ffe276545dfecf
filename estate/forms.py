from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from estate import normalise
from estate.models import Household, Notice, Resident

ROSTER_MAX_BYTES = 2 * 1024 * 1024


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = ["building", "entrance", "room", "floor", "area", "occupancy", "notes"]
        help_texts = {
            "entrance": _("单元, e.g. 1; leave empty if the building has none."),
            "notes": _("Seen by the committee, the building head and the household itself."),
        }
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "area": forms.TextInput(attrs={"inputmode": "decimal"}),
            "floor": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = forms.CharField(label=self.fields["area"].label, widget=self.fields["area"].widget,
                                              help_text=_("In m², e.g. 85.50"))

    def clean_entrance(self):
        return normalise.entrance(self.cleaned_data["entrance"])

    def clean_room(self):
        room = normalise.room(self.cleaned_data["room"])
        if not room:
            raise ValidationError(_("Please give the room number."))
        return room

    def clean_area(self):
        try:
            return normalise.area(self.cleaned_data["area"])
        except ValidationError as error:
            raise ValidationError(error.messages[0].capitalize()) from None

    def clean_notes(self):
        return self.cleaned_data["notes"].strip()


class ResidentForm(forms.ModelForm):
    class Meta:
        model = Resident
        fields = ["name", "relation", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}
        help_texts = {"phone": _("Shown in full only to the committee and the person; others see 138****1234.")}

    def clean_name(self):
        name = normalise.person_name(self.cleaned_data["name"])
        if not name:
            raise ValidationError(_("Please give the name."))
        return name

    def clean_phone(self):
        return normalise.phone(self.cleaned_data["phone"])


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("An .xlsx or .csv file with the columns 楼栋, 单元, 房号, 业主姓名, 联系电话, 建筑面积."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > ROSTER_MAX_BYTES:
            raise ValidationError(_("The file is larger than 2 MB; a roster is much smaller."))
        return upload


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["title", "notice_date", "body", "signature"]
        widgets = {
            "notice_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "body": forms.Textarea(attrs={"rows": 12}),
        }
        error_messages = {
            "title": {"required": _("Please give the notice a title.")},
            "body": {"required": _("Please write the text of the notice.")},
        }
