from django import forms

from messaging.models import Reach


class ReachForm(forms.ModelForm):
    class Meta:
        model = Reach
        fields = ["email", "sms", "notices"]
