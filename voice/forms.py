from django import forms
from django.utils.translation import gettext_lazy as _

from estate.models import Building
from repairs.forms import PhotosField
from repairs.models import Ticket
from voice.models import Comment, Proposal


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(label=_("Your proposal"), widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("What should change, where, and why."))
    photos = PhotosField(label=_("Photos"), max_files=Proposal.MAX_PHOTOS)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=Comment.MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}))
    quote = forms.TypedChoiceField(label=_("About the quote"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, quotes=None, **kwargs):
        """`quotes`: the ticket's quotes as a list (the page has them already), or None for no choice."""
        super().__init__(*args, **kwargs)
        if not quotes:
            del self.fields["quote"]
        else:
            self.fields["quote"].choices = [("", _("— the work as a whole —"))] + [
                (quote.pk, str(quote)) for quote in quotes]


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Why hide it"), max_length=200)


class AnswerForm(forms.Form):
    OUTCOMES = [("ticket", _("Accept: report it as repair work")), ("decline", _("Decline, with the reason"))]

    outcome = forms.ChoiceField(label=_("Answer"), choices=OUTCOMES, widget=forms.RadioSelect)
    answer = forms.CharField(label=_("The committee's answer"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Everyone reads it on the proposal."))
    category = forms.ChoiceField(label=_("Kind of work"), choices=Ticket.Category.choices, required=False)
    place = forms.ChoiceField(label=_("Place"), required=False,
                              choices=[c for c in Ticket.Place.choices if c[0] != Ticket.Place.FLAT])
    building = forms.ModelChoiceField(label=_("Building"), queryset=Building.objects.all(), required=False,
                                      empty_label=_("— the whole estate —"))

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "ticket":
            for name in ("category", "place"):
                if not data.get(name):
                    self.add_error(name, _("Needed for a repair ticket."))
        return data
