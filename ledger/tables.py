"""The journal as django-tables2 knows it, for its CSV and XLSX export (the page itself is a plain template)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from ledger.templatetags.money import money


class MoneyColumn(tables.Column):
    attrs = {"td": {"class": "money"}, "th": {"class": "money"}}

    def render(self, value):
        return money(value)

    def value(self, value):
        return value  # exports keep the Decimal


class JournalTable(tables.Table):
    """Rows: transactions annotated with reversed_by, the number of the reversal (views_committee.journal)."""

    seq = tables.Column(verbose_name=_("No."))
    date = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d")
    kind = tables.Column(verbose_name=_("Kind"))
    memo = tables.Column(verbose_name=_("Memo"), orderable=False)
    amount = MoneyColumn(verbose_name=_("Amount"))
    created_by = tables.Column(verbose_name=_("Entered by"), orderable=False, default="—")
    reversed = tables.Column(verbose_name=_("Reversed"), accessor="reversed_by", orderable=False, default="")

    class Meta:
        order_by = "-seq"
        attrs = {"class": "journal"}

    def render_kind(self, record):
        return record.get_kind_display()

    def render_reversed(self, value):
        return f"#{value}"
