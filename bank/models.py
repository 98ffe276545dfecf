"""The bank's word and the cash box's beside the books' (docs/ARCHITECTURE.md, "Money that cannot be bent").

Each month the treasurer enters the bank's statement (its file, or its closing balance with a photo of
the paper) and two people count the cash box. Matching lines to the journal is computed, never stored:
statements, explanations and counts are append-only (migration 0001), a count is confirmed once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger.models import money_field


class ColumnMapping(models.Model):
    """Which column of one bank's export holds what: entered once per bank, reused for every statement."""

    bank = models.CharField(_("bank or payment account"), max_length=50, unique=True)
    date_column = models.CharField(_("date column"), max_length=50)
    amount_column = models.CharField(_("amount column (signed)"), max_length=50, blank=True)
    in_column = models.CharField(_("money in column"), max_length=50, blank=True)
    out_column = models.CharField(_("money out column"), max_length=50, blank=True)
    reference_column = models.CharField(_("reference column"), max_length=50, blank=True)
    counterparty_column = models.CharField(_("counterparty column"), max_length=50, blank=True)
    balance_column = models.CharField(_("balance column"), max_length=50, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["bank"]

    def __str__(self):
        return self.bank


class Statement(models.Model):
    """The bank's statement of a month: its closing balance, and its lines when a file was imported."""

    month = models.DateField(_("month"), unique=True)
    bank = models.CharField(_("bank or payment account"), max_length=50)
    closing_balance = money_field(_("closing balance on the statement"))
    file = models.CharField(max_length=200, blank=True)
    original_name = models.CharField(max_length=100, blank=True)
    photo = models.CharField(max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="statement_month_first_day")]

    def __str__(self):
        return f"{self.bank} {self.month:%Y-%m}"


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    number = models.PositiveIntegerField()
    date = models.DateField()
    amount = money_field(_("amount"))  # money in positive, money out negative
    reference = models.CharField(max_length=100, blank=True)
    counterparty = models.CharField(max_length=100, blank=True)
    # The same date, amount, reference and counterparty as an earlier line: listed, never matched twice.
    duplicate = models.BooleanField(default=False)

    class Meta:
        ordering = ["statement", "number"]
        constraints = [models.UniqueConstraint(fields=["statement", "number"], name="statement_line_once")]

    def __str__(self):
        return f"{self.date} {self.amount} {self.reference}"


class Explanation(models.Model):
    """Why the bank or the cash box differs from the books at a month's end, in writing, before it closes."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Bank")
        CASH = "cash", _("Cash box")

    month = models.DateField(_("month"))
    kind = models.CharField(max_length=4, choices=Kind.choices)
    difference = money_field(_("difference"))
    text = models.TextField(_("explanation"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "written_at"]

    def __str__(self):
        return f"{self.kind} {self.month:%Y-%m} {self.difference}"


class CashCount(models.Model):
    """盘点: the cash box counted at a month's end by one committee member, confirmed by another."""

    month = models.DateField(_("month"), unique=True)
    counted = money_field(_("cash counted"))
    books = money_field(_("cash in the books"))
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    counted_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="cash_count_month_first_day"),
            models.CheckConstraint(condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("counted_by")),
                                   name="cash_count_two_people"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.counted}"
