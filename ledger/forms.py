"""Forms validate and normalise; the services in ledger/services.py do the writing."""

import re
import uuid
from datetime import date
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from estate.models import Household
from estate.uploads import prepare_document
from ledger.models import Account, Fund, Method


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.Field):
    """A month typed as YYYY-MM (the browser's month picker), cleaned to its first day."""

    widget = MonthInput
    default_error_messages = {"invalid": _("Enter a month like 2026-03.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value.replace(day=1)
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", str(value).strip())
        if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return date(int(match[1]), int(match[2]), 1)

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, date) else value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def amount_field(label=None, **kwargs):
    """Yuan with fen: positive, two decimals at most, not beyond LEDGER_MAX_AMOUNT."""
    return forms.DecimalField(
        label=label or _("Amount (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        max_value=settings.LEDGER_MAX_AMOUNT,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}), **kwargs,
    )


class KeyedForm(forms.Form):
    """A form that writes money or a decision, rendered with a fresh key: sent twice, it acts once
    (the service checks the key under the chain lock, ledger/services.py)."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class PaymentForm(forms.Form):
    amount = amount_field()
    method = forms.ChoiceField(label=_("Paid by"), choices=Method.choices, widget=forms.RadioSelect,
                               initial=Method.CASH)
    reference = forms.CharField(label=_("Transfer reference"), max_length=60, required=False,
                                help_text=_("Needed for a bank transfer."))
    payer_name = forms.CharField(label=_("Paid by (name, optional)"), max_length=50, required=False)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    # Generated when the form is shown; a resubmission carries the same key and records nothing new.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).update(date=timezone.localdate(), idempotency_key=uuid.uuid4().hex)
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("method") == Method.BANK and not data.get("reference", "").strip():
            self.add_error("reference", _("A bank transfer needs its reference."))
        return data


class ReasonForm(KeyedForm):
    reason = forms.CharField(label=_("Reason"), max_length=150)


class ExpenseForm(KeyedForm):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Account.objects.filter(kind="expense"),
                                      empty_label=_("Choose…"))
    fund = forms.ModelChoiceField(label=_("Paid from fund"), queryset=Fund.objects.all(), required=False,
                                  empty_label=_("None"),
                                  help_text=_("Leave empty for the estate's running costs."))
    payee = forms.CharField(label=_("Payee"), max_length=100)
    payee_is_person = forms.BooleanField(
        label=_("the payee is a private person"), required=False,
        help_text=_("Their name is shown masked (王**) on the public accounts and the notice."),
    )
    amount = amount_field()
    description = forms.CharField(label=_("What for"), widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("Invoice or receipt (photo or PDF)"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        return prepare_document(upload) if upload else None


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Invoice or receipt (photo or PDF)"))

    def clean_file(self):
        return prepare_document(self.cleaned_data["file"])


class ApprovalForm(KeyedForm):
    """An approval: nothing to fill in but the form's key."""


class ExpensePayForm(KeyedForm):
    method = forms.ChoiceField(label=_("Paid from"), widget=forms.RadioSelect, initial=Method.BANK,
                               choices=[(Method.CASH, _("Cash")), (Method.BANK, _("Bank"))])
    date = forms.DateField(label=_("Date"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)


INCOME_KINDS = ["parking", "advertising", "charging", "lockers", "other_income", Account.FUNDS]


class IncomeForm(KeyedForm):
    kind = forms.ModelChoiceField(label=_("Kind"), queryset=Account.objects.filter(code__in=INCOME_KINDS),
                                  to_field_name="code", empty_label=_("Choose…"))
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.all(), required=False, empty_label=_("None"),
                                  help_text=_("Only for money raised for a project."))
    date = forms.DateField(label=_("Date"), widget=DateInput)
    source = forms.CharField(label=_("From"), max_length=100)
    period = forms.CharField(label=_("Period"), max_length=50, required=False,
                             help_text=_("e.g. 2026-01 to 2026-03"))
    amount = amount_field()
    method = forms.ChoiceField(label=_("Paid by"), choices=Method.choices, initial=Method.BANK)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind is not None and (kind.code == Account.FUNDS) != bool(data.get("fund")):
            self.add_error("fund", _("Money raised for a project goes to its designated fund."))
        return data


class FundForm(KeyedForm):
    name = forms.CharField(label=_("Project"), max_length=80)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    target = amount_field(_("Target (yuan)"), required=False)


class MonthForm(forms.Form):
    month = MonthField(label=_("Month"))


class MonthActionForm(KeyedForm, MonthForm):
    """A month to bill or close."""
class MonthCloseForm(KeyedForm):
    """The confirmation of a month close: the month, and a tick that its figures and open items were read."""

    month = MonthField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I have checked these figures; close the month for good."),
        error_messages={"required": _("Tick the box to confirm that you checked the figures.")},
    )

    def __init__(self, *args, open_items=False, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        if open_items:
            self.fields["confirm"].label = _("I have checked these figures and what is still open; "
                                             "close the month for good.")


class FeeRateForm(forms.Form):
    rate = forms.DecimalField(label=_("Rate (yuan per m² per month)"), max_digits=8, decimal_places=4,
                              min_value=Decimal("0.0001"), max_value=Decimal("100"))
    effective_from = MonthField(label=_("From month"))
    note = forms.CharField(label=_("Decision"), max_length=200, required=False,
                           help_text=_("e.g. owners' general meeting of 2026-03-01"))


class AdjustmentForm(KeyedForm):
    household = forms.ModelChoiceField(label=_("Household"), queryset=Household.objects.all(),
                                       to_field_name="code", empty_label=_("Choose…"))
    percent_off = forms.DecimalField(label=_("Reduction (%)"), max_digits=5, decimal_places=2,
                                     min_value=Decimal("0.01"), max_value=Decimal("100"),
                                     help_text=_("100 exempts the household entirely."))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    start_month = MonthField(label=_("From month"))
    end_month = MonthField(label=_("Until month"), required=False, help_text=_("Empty: until ended."))


class AccountNameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)


class BudgetForm(forms.Form):
    """One amount per expense category for a year."""

    def __init__(self, *args, accounts, budgets, **kwargs):
        super().__init__(*args, **kwargs)
        for account in accounts:
            self.fields[account.code] = forms.DecimalField(
                label=account.name, max_digits=12, decimal_places=2, min_value=Decimal("0"),
                max_value=settings.LEDGER_MAX_AMOUNT, required=False, initial=budgets.get(account.pk),
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )


class HeadForm(forms.Form):
    """A chain head as printed: its number and its hash (at least the first eight characters)."""

    seq = forms.IntegerField(label=_("Number (after #)"), min_value=1, max_value=10**15,
                             widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    hash = forms.CharField(label=_("Hash (at least its first 8 characters)"), max_length=80,
                           widget=forms.TextInput(attrs={"autocapitalize": "off", "autocomplete": "off",
                                                         "spellcheck": "false"}))

    def clean_hash(self):
        value = re.sub(r"[\s…\.]", "", self.cleaned_data["hash"]).lower()
        if len(value) < 8 or not re.fullmatch(r"[0-9a-f]+", value):
            raise forms.ValidationError(_("Enter the hash as printed: letters a–f and digits, at least 8 of them."))
        return value
