from django import forms
from django.utils.translation import gettext_lazy as _

from estate.models import Notice


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
