from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from budgeting.models import Comment, Plan
from decisions.forms import DateInput, DateTimeInput
from decisions.models import Assembly, Motion


class PlanForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Plan._meta.get_field("intro").help_text,
    )


class LinesForm(forms.Form):
    """One amount and explanation per expense category; a category left empty is not in the budget."""

    def __init__(self, *args, accounts, lines=(), note=False, intro=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = list(accounts)
        current = {line.account_id: line for line in lines}
        if intro is not None:
            self.fields["intro"] = forms.CharField(
                label=_("Introduction"), required=False, initial=intro, widget=forms.Textarea(attrs={"rows": 3})
            )
        for account in self.accounts:
            line = current.get(account.pk)
            self.fields[f"amount_{account.code}"] = forms.DecimalField(
                label=account.name,
                max_digits=12,
                decimal_places=2,
                min_value=0,
                max_value=settings.LEDGER_MAX_AMOUNT,
                required=False,
                initial=line.amount if line else None,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )
            self.fields[f"explanation_{account.code}"] = forms.CharField(
                label=_("Explanation: %(category)s") % {"category": account.name},
                max_length=300,
                required=False,
                initial=line.explanation if line else "",
            )
        if note:
            self.fields["note"] = forms.CharField(
                label=_("What changed and why"),
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("Everyone reads it beside the revision: answer the residents' comments here."),
            )

    def clean(self):
        data = super().clean()
        if not self.errors and not self.lines():
            raise forms.ValidationError(_("A budget needs at least one line: enter an amount."))
        for account in self.accounts:
            if data.get(f"amount_{account.code}") is None and data.get(f"explanation_{account.code}"):
                self.add_error(f"amount_{account.code}", _("Enter the amount, or clear the explanation."))
        return data

    def lines(self):
        return [
            (account, self.cleaned_data[f"amount_{account.code}"], self.cleaned_data[f"explanation_{account.code}"])
            for account in self.accounts
            if self.cleaned_data.get(f"amount_{account.code}") is not None
        ]

    def rows(self):
        """The fields in pairs, for a table of category, amount and explanation."""
        return [
            (account, self[f"amount_{account.code}"], self[f"explanation_{account.code}"]) for account in self.accounts
        ]


class PublishForm(forms.Form):
    comments_end = forms.DateField(label=_("Residents comment until (that day included)"), widget=DateInput())


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=Comment.MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    line = forms.TypedChoiceField(label=_("About"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", _("— the budget as a whole —"))] + [
            (line.account_id, line.account.name) for line in lines
        ]


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Why hide it"), max_length=200)


class PutForm(forms.Form):
    assembly = forms.ModelChoiceField(
        label=_("Owners' assembly"),
        queryset=Assembly.objects.all(),
        required=False,
        empty_label=_("— a new written consultation for this budget —"),
    )
    voting_starts = forms.DateTimeField(label=_("Voting starts"), widget=DateTimeInput())
    voting_ends = forms.DateTimeField(label=_("Voting ends"), widget=DateTimeInput())
    accepts = forms.ChoiceField(
        label=_("Ballots accepted"), choices=Motion.Accepts.choices, initial=Motion.Accepts.BOTH
    )

    def clean(self):
        data = super().clean()
        if data.get("voting_starts") and data.get("voting_ends") and data["voting_ends"] <= data["voting_starts"]:
            self.add_error("voting_ends", _("Voting must end after it starts."))
        return data
