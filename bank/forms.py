"""Forms validate and normalise; bank/services.py writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bank.models import Explanation
from estate.uploads import prepare_document
from ledger.forms import MonthField, amount_field

COLUMN_HELP = _("The column's heading exactly as the bank's file writes it, e.g. 交易日期.")


class MappingForm(forms.Form):
    bank = forms.CharField(label=_("Bank or payment account"), max_length=50,
                           help_text=_("e.g. 工商银行, 微信支付商户, 支付宝商家"))
    date_column = forms.CharField(label=_("Date column"), max_length=50, help_text=COLUMN_HELP)
    amount_column = forms.CharField(label=_("Amount column (money out negative)"), max_length=50, required=False)
    in_column = forms.CharField(label=_("Money in column"), max_length=50, required=False,
                                help_text=_("When the file has separate columns for money in and out."))
    out_column = forms.CharField(label=_("Money out column"), max_length=50, required=False)
    reference_column = forms.CharField(label=_("Reference column"), max_length=50, required=False)
    counterparty_column = forms.CharField(label=_("Counterparty column"), max_length=50, required=False)
    balance_column = forms.CharField(label=_("Balance column"), max_length=50, required=False)


class StatementImportForm(forms.Form):
    bank = forms.CharField(label=_("Bank or payment account"), max_length=50)
    file = forms.FileField(label=_("Statement file (CSV or Excel)"))
    closing_balance = amount_field(_("Closing balance (if the file shows none)"), required=False)


class StatementEnterForm(forms.Form):
    bank = forms.CharField(label=_("Bank or payment account"), max_length=50)
    closing_balance = forms.DecimalField(label=_("Closing balance on the statement (yuan)"), max_digits=12,
                                         decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.01",
                                                                                          "inputmode": "decimal"}))
    photo = forms.FileField(label=_("Photo or PDF of the statement"))

    def clean_photo(self):
        return prepare_document(self.cleaned_data["photo"])


class ExplanationForm(forms.Form):
    kind = forms.ChoiceField(label=_("What differs"), choices=Explanation.Kind.choices)
    text = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class CashCountForm(forms.Form):
    counted = forms.DecimalField(label=_("Cash counted (yuan)"), max_digits=12, decimal_places=2, min_value=0,
                                 widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))


class MonthPickForm(forms.Form):
    month = MonthField(label=_("Month"))
