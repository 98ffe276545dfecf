"""The estate's books: a double-entry journal and the records that feed it.

Sign convention: an entry's amount is positive for a debit and negative for a
credit, so the entries of every transaction add up to zero. Fees receivable
carries a household on each entry (the per-household sub-ledger); designated
project funds carry the fund.

Rows that money has passed through are never changed: database triggers
(migration 0002) refuse UPDATE and DELETE of transactions, entries, charges,
settlements, receipts, payments, approvals and closed months, and of expenses
once paid. Writes go through ledger/services.py.
"""

import hashlib
import json
from datetime import date
from decimal import Decimal
from operator import itemgetter

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from estate.aggregates import exact_sum
from estate.models import StoredFile


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


def month_start(value):
    return value.replace(day=1)


def add_months(month, count):
    """The first day of the month `count` months after `month`'s."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def due_date(month):
    """The day `month`'s fee falls due (settings.LEDGER_BILL_DUE_DAY); unpaid after it, it is in arrears."""
    return month.replace(day=settings.LEDGER_BILL_DUE_DAY)


def last_overdue_month(day):
    """The latest month whose fee is overdue on `day`: this month once its due day has passed, else the one before."""
    month = day.replace(day=1)
    return month if day > due_date(month) else add_months(month, -1)


class Account(models.Model):
    """One line of the chart of accounts. Created by migration; names may be edited, codes never."""

    class Kind(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        FUND = "fund", _("Designated fund")
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    # Codes the services rely on (created by migration 0003).
    CASH = "cash"
    BANK = "bank"
    HELD_BY_HEADS = "held_by_heads"
    RECEIVABLE = "receivable"
    FEE_INCOME = "fee_income"
    FUNDS = "funds"

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self):
        return self.name


class Fund(models.Model):
    """Money residents raised for one project (e.g. an e-bike charging shed): raised, spent, remaining."""

    name = models.CharField(_("name"), max_length=80)
    purpose = models.TextField(_("purpose"), blank=True)
    target = money_field(_("target"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey("decisions.Decision", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("owners' decision"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("designated fund")
        verbose_name_plural = _("designated funds")

    def __str__(self):
        return self.name


class ChainHead(models.Model):
    """The single row that orders postings: its lock serialises every posting and month close."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    # The last month closed, kept beside the head the close locks: a closed month refuses postings even if
    # its ClosedMonth row were deleted behind the application's back (check_ledger compares the two).
    closed_through = models.DateField(null=True, blank=True)

    def __str__(self):
        return f"#{self.seq} {self.hash[:12]}"


GENESIS_HASH = "0" * 64


class Transaction(models.Model):
    """A posted journal transaction. Immutable; a mistake is corrected by a reversal pointing at it."""

    class Kind(models.TextChoices):
        BILLING = "billing", _("Monthly billing")
        PAYMENT = "payment", _("Fee payment")
        HANDOVER = "handover", _("Cash handed over")
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")
        REVERSAL = "reversal", _("Reversal")
        OPENING = "opening", _("Opening balance")

    seq = models.PositiveBigIntegerField(_("number"), unique=True)
    date = models.DateField(_("date"), db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    memo = models.CharField(_("memo"), max_length=200)
    # The sum of the debits, kept for lists (check_ledger verifies it against the entries).
    amount = money_field(_("amount"))
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal",
        verbose_name=_("reverses"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # 1: the hash covers the transaction and its entries; 2: also the record it states (ledger/sealing.py).
    hash_version = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        # The journal sorts by date or by amount, then by number, and pages by these keys (ledger/journal.py).
        indexes = [models.Index(fields=["amount", "seq"], name="transaction_amount_seq"),
                   models.Index(fields=["date", "seq"], name="transaction_date_seq")]
        constraints = [
            models.CheckConstraint(
                name="transaction_reversal_points_at_original",
                condition=Q(kind="reversal", reverses__isnull=False) | (~Q(kind="reversal") & Q(reverses__isnull=True)),
            ),
        ]

    def __str__(self):
        return f"#{self.seq} {self.date} {self.memo}"

    def compute_hash(self, entries, record=None):
        """sha256 over the previous hash and this transaction's content, entries in line order, and from
        hash version 2 on the record it states (an income, a payment with its receipt, ...; or None)."""
        rows = [(e.line, e.account_id, e.amount, e.household_id, e.fund_id) for e in entries]
        return self.compute_hash_of_rows(rows, record)

    def compute_hash_of_rows(self, rows, record=None):
        """compute_hash over entries given as (line, account_id, amount, household_id, fund_id) tuples:
        check_ledger reads the entries of ten years as such, not as objects."""
        content = {
            "seq": self.seq,
            "date": self.date.isoformat(),
            "kind": self.kind,
            "memo": self.memo,
            "reverses": self.reverses_id,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by_id,
            "entries": [
                [line, account_id, str(amount), household_id, fund_id]
                for line, account_id, amount, household_id, fund_id in sorted(rows, key=itemgetter(0))
            ],
        }
        if self.hash_version >= 2:
            content.update(v=self.hash_version, record=record)
        text = self.prev_hash + json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


class Entry(models.Model):
    """One line of a transaction: positive debits, negative credits."""

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    line = models.PositiveIntegerField()
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = money_field(_("amount"))
    household = models.ForeignKey(
        "estate.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, null=True, blank=True, related_name="entries")

    class Meta:
        ordering = ["transaction_id", "line"]
        constraints = [
            models.UniqueConstraint(fields=["transaction", "line"], name="entry_unique_line"),
            models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_not_zero"),
        ]
        indexes = [models.Index(fields=["household", "account"])]

    def __str__(self):
        return f"{self.account_id} {self.amount}"


class ClosedMonth(models.Model):
    """A month the committee closed: nothing dated in it may be posted afterwards."""

    month = models.DateField(_("month"), unique=True)
    closed_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  null=True, blank=True)
    head_seq = models.PositiveBigIntegerField(help_text="The hash chain's head when the month was closed.")
    head_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("closed month")
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="closed_month_first_day")]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class FeeRate(models.Model):
    """The fee per m² per month from a month on; the newest row not after a month applies to it."""

    rate = models.DecimalField(_("rate per m² per month"), max_digits=8, decimal_places=4,
                               validators=[MinValueValidator(Decimal("0.0001"))])
    effective_from = models.DateField(_("from month"), unique=True)
    note = models.CharField(_("decision"), max_length=200, blank=True)
    decision = models.ForeignKey("decisions.Decision", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("owners' decision"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("fee rate")
        constraints = [
            models.CheckConstraint(condition=Q(effective_from__day=1), name="fee_rate_first_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fee_rate_positive"),
        ]

    def __str__(self):
        return f"{self.rate} ({self.effective_from:%Y-%m})"

    @classmethod
    def for_month(cls, month):
        return cls.objects.filter(effective_from__lte=month_start(month)).first()


class FeeAdjustment(models.Model):
    """A committee decision to lower one household's fee for a period (hardship, vacant flat)."""

    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, related_name="fee_adjustments",
                                  verbose_name=_("household"))
    percent_off = models.DecimalField(
        _("reduction (%)"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("100 exempts the household entirely."),
    )
    reason = models.CharField(_("reason"), max_length=200)
    start_month = models.DateField(_("from month"))
    end_month = models.DateField(_("until month"), null=True, blank=True, help_text=_("Empty: until revoked."))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["household__code", "-start_month"]
        verbose_name = _("fee adjustment")
        constraints = [
            models.CheckConstraint(condition=Q(percent_off__gt=0, percent_off__lte=100), name="adjustment_percent"),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True) | Q(end_month__gte=models.F("start_month")),
                name="adjustment_period_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.household} −{self.percent_off}%"

    def covers(self, month):
        return self.start_month <= month and (self.end_month is None or month <= self.end_month)


def not_reversed(transaction="transaction"):
    """A filter: the transaction at `transaction` (a path from the rows filtered) has no reversal.

    NOT EXISTS rather than a LEFT JOIN … IS NULL: PostgreSQL estimated the join at one row and looped over
    every settlement of ten years (3.8 s for the arrears sum at 5,000 households, 265 ms as NOT EXISTS).
    """
    return ~Exists(Transaction.objects.filter(reverses_id=OuterRef(transaction)))


def _decimal_or_zero(subquery):
    return Coalesce(subquery, Value(Decimal("0.00")), output_field=models.DecimalField(max_digits=16, decimal_places=2))


class ChargeQuerySet(models.QuerySet):
    def with_paid(self, until=None):
        """Each charge with `paid`: what payments not reversed (and dated up to `until`) settled of it."""
        settlements = Settlement.objects.filter(not_reversed("payment__transaction_id"), charge=OuterRef("pk"))
        if until is not None:
            settlements = settlements.filter(payment__date__lte=until)
        paid = settlements.order_by().values("charge_id").annotate(total=exact_sum("amount")).values("total")
        return self.annotate(paid=_decimal_or_zero(Subquery(paid)))

    def unpaid(self, until=None):
        """Charges not yet fully paid (by `until`), each with `paid`."""
        return self.with_paid(until).filter(amount__gt=F("paid"))


class Charge(models.Model):
    """One household's fee for one month: area × rate, less any adjustment, rounded half up."""

    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, related_name="charges")
    month = models.DateField(_("month"))
    area = models.DecimalField(max_digits=8, decimal_places=2)
    rate = models.DecimalField(max_digits=8, decimal_places=4)
    adjustment = models.ForeignKey(FeeAdjustment, on_delete=models.PROTECT, null=True, blank=True)
    amount = money_field(_("amount"))
    # Empty only when a whole billing run came to nothing (every household exempt): nothing to post.
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="charges",
                                    null=True, blank=True)

    objects = ChargeQuerySet.as_manager()

    class Meta:
        ordering = ["month", "household_id"]
        verbose_name = _("charge")
        constraints = [
            models.UniqueConstraint(fields=["household", "month"], name="charge_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="charge_month_first_day"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="charge_not_negative"),
        ]
        # A month's collection reads its charges of every household (the unique index leads with the household).
        indexes = [models.Index(fields=["month"], name="charge_month")]

    def __str__(self):
        return f"{self.household_id} {self.month:%Y-%m} {self.amount}"

    @property
    def due_date(self):
        return due_date(self.month)


class Method(models.TextChoices):
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    BANK = "bank", _("Bank transfer")


class PaymentQuerySet(models.QuerySet):
    def standing(self):
        """Payments not reversed."""
        return self.filter(not_reversed())


class Payment(models.Model):
    """Fees a household paid. Settles the oldest open charges first; what is left is paid ahead."""

    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, related_name="payments",
                                  verbose_name=_("household"))
    amount = money_field(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    date = models.DateField(_("date"))
    payer_name = models.CharField(_("paid by"), max_length=50, blank=True)
    first_month = models.DateField(null=True, blank=True)
    last_month = models.DateField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    needs_handover = models.BooleanField(default=False)
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="payment")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("payment")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]
        # The arrears at a past day look for the households that paid after it.
        indexes = [models.Index(fields=["date"], name="payment_date")]

    def __str__(self):
        return f"{self.household_id} {self.amount}"

    @property
    def is_reversed(self):
        return hasattr(self.transaction, "reversal")


class Settlement(models.Model):
    """The part of a payment that went toward one charge."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="settlements")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="settlements")
    amount = money_field(_("amount"))

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="settlement_positive")]

    def __str__(self):
        return f"{self.payment_id} → {self.charge_id} {self.amount}"


class SpentPayment(models.Model):
    """A note that all of a payment's money is set against charges, made when its last part is.

    Billing looks for money paid ahead among the other payments only: a handful
    instead of every payment of ten years. Settlements are never taken back, so
    a spent payment stays spent and the note never changes (check_ledger
    verifies each note against the settlements).
    """

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, primary_key=True, related_name="spent")

    def __str__(self):
        return f"{self.payment_id}"


class CashHandover(models.Model):
    """The treasurer confirms a building head handed over what they collected."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="handover")
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="handover")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.payment_id} {self.confirmed_at:%Y-%m-%d}"


class ReceiptCounter(models.Model):
    """The last receipt number of a year. Locked while a number is taken: gapless, never twice."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class Receipt(models.Model):
    """The receipt of a payment, numbered 2026-000123. Void when the payment is reversed; the number stays used."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="receipt_number_unique")]

    def __str__(self):
        return self.code

    @property
    def code(self):
        return f"{self.year}-{self.number:06d}"

    @property
    def is_void(self):
        return self.payment.is_reversed


class Income(models.Model):
    """Public income other than fees (parking, advertising, charging piles, lockers) and money raised for a fund."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind"))
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, null=True, blank=True, related_name="incomes",
                             verbose_name=_("fund"))
    date = models.DateField(_("date"))
    source = models.CharField(_("from"), max_length=100)
    period = models.CharField(_("period"), max_length=50, blank=True, help_text=_("e.g. 2026-01 to 2026-03"))
    amount = money_field(_("amount"))
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="income")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("income")

    def __str__(self):
        return f"{self.date} {self.source} {self.amount}"


class Expense(models.Model):
    """Spending: entered, approved (one or two committee members besides the entrant), then paid.

    `source` links an expense to what it came from (e.g. a repair ticket's chosen quote).
    Once paid, the row cannot change (trigger with a condition on status).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    date = models.DateField(_("date"))
    category = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"),
                                 limit_choices_to={"kind": Account.Kind.EXPENSE})
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, null=True, blank=True, related_name="expenses",
                             verbose_name=_("paid from fund"))
    payee = models.CharField(_("payee"), max_length=100)
    payee_is_person = models.BooleanField(
        _("the payee is a private person"), default=False,
        help_text=_("Their name is shown masked (王**) on the public accounts and the notice."),
    )
    amount = money_field(_("amount"))
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("entered by"))
    entered_at = models.DateTimeField(default=timezone.now)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="expense")
    cancel_reason = models.CharField(max_length=200, blank=True)
    decision = models.ForeignKey("decisions.Decision", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("owners' decision"))

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("expense")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_positive"),
            models.CheckConstraint(
                condition=Q(status="paid", transaction__isnull=False)
                | (~Q(status="paid") & Q(transaction__isnull=True)),
                name="expense_paid_has_transaction",
            ),
        ]
        indexes = [models.Index(fields=["source_type", "source_id"])]

    def __str__(self):
        return f"{self.date} {self.payee} {self.amount}"


    @property
    def public_payee(self):
        """The payee as everyone may read it: a private person's name masked."""
        if self.payee_is_person:
            return self.payee[:1] + "*" * max(len(self.payee) - 1, 1)
        return self.payee


class Approval(models.Model):
    expense = models.ForeignKey(Expense, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["expense", "approver"], name="approval_once_per_member")]

    def __str__(self):
        return f"{self.expense_id} {self.approver}"


class Attachment(StoredFile):
    """An invoice or receipt (photo or PDF) of an expense, visible to every resident once the expense is paid.

    `name` is the storage name given by estate.uploads.store(); the file is
    served only through ledger:attachment, which checks who asks.
    """

    expense = models.ForeignKey(Expense, on_delete=models.PROTECT, related_name="attachments")


class Budget(models.Model):
    """The committee's yearly budget for one expense category."""

    year = models.PositiveSmallIntegerField(_("year"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="budgets",
                                verbose_name=_("category"))
    amount = money_field(_("budget"), validators=[MinValueValidator(Decimal("0"))])
    decision = models.ForeignKey("decisions.Decision", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("owners' decision"))

    class Meta:
        ordering = ["year", "account__position"]
        constraints = [models.UniqueConstraint(fields=["year", "account"], name="budget_once_per_year")]

    def __str__(self):
        return f"{self.year} {self.account_id} {self.amount}"


class HouseholdTotal(models.Model):
    """One household's running totals, kept by ledger/totals.py in the transaction of every posting that
    changes them (under the chain lock), so pages read one row instead of summing ten years of books.

    Not append-only (each posting updates it): check_ledger recomputes every total from the charges,
    payments, settlements and entries and names one that differs.
    """

    household = models.OneToOneField("estate.Household", on_delete=models.PROTECT, primary_key=True,
                                     related_name="ledger_total")
    billed = money_field(_("billed"), default=Decimal("0.00"))  # every charge
    paid = money_field(_("paid"), default=Decimal("0.00"))  # every payment not reversed
    settled = money_field(_("settled"), default=Decimal("0.00"))  # what those payments set against charges
    balance = money_field(_("balance"), default=Decimal("0.00"))  # the receivable sub-ledger: owed (+), ahead (−)
    # The month of the oldest charge not fully settled; empty when every charge is.
    oldest_open = models.DateField(null=True, blank=True)
    # How many charges are not fully settled (the arrears page's months, without reading them).
    open_charges = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.household_id} {self.balance}"

    @property
    def owed(self):
        """The unpaid part of the household's charges."""
        return self.billed - self.settled


class AccountMonthTotal(models.Model):
    """The sum of one account's entries dated in one month (and its debits), kept as postings happen:
    a balance at a month's end is the sum of at most twelve rows a year."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    total = money_field(_("total"), default=Decimal("0.00"))
    debits = money_field(_("debits"), default=Decimal("0.00"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="account_month_total_once")]

    def __str__(self):
        return f"{self.account_id} {self.month:%Y-%m} {self.total}"


class FundMonthTotal(models.Model):
    """A designated fund's money raised (credits) and spent (debits) in one month, kept as postings happen."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="month_totals")
    month = models.DateField()
    raised = money_field(_("raised"), default=Decimal("0.00"))
    spent = money_field(_("spent"), default=Decimal("0.00"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fund", "month"], name="fund_month_total_once")]

    def __str__(self):
        return f"{self.fund_id} {self.month:%Y-%m} {self.raised} {self.spent}"


class FeeMonthTotal(models.Model):
    """The property fees of one month, kept as postings happen (ledger/totals.py), so the collection figures and
    the public accounts' fee line read one row instead of 5,000 charges or payments.

    Two views of the month: the charges billed for it (billed, what payments not reversed settled of them, how
    many households were billed a fee and how many have paid it in full: charges of zero left out, as
    reports.collection counts them) and the fee money that moved in it (payments and their reversals dated in
    the month, as they reach cash, bank or a building head: the public accounts' one fee line a month).
    """

    month = models.DateField(unique=True)
    billed = money_field(_("billed"), default=Decimal("0.00"))
    settled = money_field(_("settled"), default=Decimal("0.00"))
    households_billed = models.IntegerField(default=0)
    households_paid = models.IntegerField(default=0)
    received = money_field(_("received"), default=Decimal("0.00"))  # payments less reversals dated in the month
    payments = models.IntegerField(default=0)  # payments dated in the month
    undone = models.IntegerField(default=0)  # reversals of payments dated in the month

    def __str__(self):
        return f"{self.month:%Y-%m} {self.billed} {self.settled}"


def household_balance(household_id):
    """What a household owes (positive) or has paid ahead (negative): its running total (ledger.totals)."""
    balance = HouseholdTotal.objects.filter(household_id=household_id).values_list("balance", flat=True).first()
    return balance if balance is not None else Decimal("0.00")


def household_overdue(household_id, day):
    """What a household owes of the fees due by `day` (its arrears): the unpaid part of its overdue months.

    Only the charges from its oldest open month on are read (its running total says which), unless it paid
    after `day`: then a charge open on that day may be settled now, and all are read.
    """
    paid_since = Payment.objects.filter(household_id=household_id, date__gt=day)
    open_charges = (
        Charge.objects.filter(Q(month__gte=F("household__ledger_total__oldest_open")) | Exists(paid_since),
                              household_id=household_id, month__lte=last_overdue_month(day))
        .unpaid(day)
    )
    return sum((amount - paid for amount, paid in open_charges.values_list("amount", "paid")), Decimal("0.00"))


def first_of(year, month):
    return date(year, month, 1)


class MonthlyNotice(models.Model):
    """A month's public accounts notice as posted when the month closed; never changed afterwards.

    `data` is the snapshot every view of the notice renders from; `pdf` names
    the stored PDF, whose SHA-256 is `sha256`; `code` is in the printed QR
    code and opens the public verification page.
    """

    month = models.DateField(_("month"), unique=True)
    code = models.CharField(max_length=32, unique=True)
    data = models.JSONField()
    pdf = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    posted_at = models.DateTimeField(default=timezone.now)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly notice")

    def __str__(self):
        return f"{self.month:%Y-%m}"


class Submission(models.Model):
    """A form that wrote money or a decision, remembered by the key it was rendered with.

    Every such form carries a fresh key; the service looks the key up under the
    chain lock (ledger/services.py) and, when the same form comes again (a
    double tap, a resent request, twenty at once), returns what the first
    submission made instead of doing it again.
    """

    key = models.CharField(max_length=64, unique=True)
    action = models.CharField(max_length=40)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    result_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    result_id = models.PositiveBigIntegerField(null=True, blank=True)
    result = GenericForeignKey("result_type", "result_id")

    def __str__(self):
        return f"{self.action} {self.key}"
