"""What is still open before a month is closed, and the figures the close will fix for good.

A month close cannot be undone (closed months refuse postings: docs/ARCHITECTURE.md, "Invariants and where
each is enforced"), so the committee first sees what the books still wait for. Each check is a
function of the month returning OpenItem rows; `OPEN_ITEM_CHECKS` lists them
and other parts of the books add theirs with `@open_item_check` (a bank
reconciliation, say). An item that `blocks` stops month_close; the others are
shown, and whoever closes confirms they have seen them. See docs/ARCHITECTURE.md,
"Month close".
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import ngettext

from estate.aggregates import exact_sum
from estate.models import Household
from ledger.models import Account, Expense, Payment
from ledger.money import ZERO
from ledger.reports import MONEY_ACCOUNTS, month_end, month_report


@dataclass(frozen=True)
class OpenItem:
    """One thing the books still wait for in a month: what, how many, how much, and where to see to it."""

    code: str
    label: str
    count: int
    amount: Decimal | None = None
    url: str = ""
    blocks: bool = False


OPEN_ITEM_CHECKS = []


def open_item_check(check):
    """Register `check(month) -> iterable of OpenItem` with the month-close page and month_close."""
    OPEN_ITEM_CHECKS.append(check)
    return check


def open_items(month):
    """Everything still open in `month` (its first day), in the order the checks were registered."""
    return [item for check in OPEN_ITEM_CHECKS for item in check(month)]


@open_item_check
def _expenses_waiting(month):
    """Expenses dated up to the month's end and neither paid nor cancelled: a bill the month has not paid."""
    from ledger.services import approval_required_count

    pending = list(
        Expense.objects.filter(status=Expense.Status.PENDING, date__lte=month_end(month))
        .annotate(approved=Count("approvals", filter=~Q(approvals__approver=F("entered_by"))))
        .values_list("amount", "approved")
    )
    unapproved = [amount for amount, approved in pending if approved < approval_required_count(amount)]
    unpaid = [amount for amount, approved in pending if approved >= approval_required_count(amount)]
    url = reverse("ledger:expenses") + "?status=pending"
    if unapproved:
        yield OpenItem("expenses_unapproved", ngettext(
            "%(count)s expense is waiting for approval", "%(count)s expenses are waiting for approval",
            len(unapproved)) % {"count": len(unapproved)}, len(unapproved), sum(unapproved, ZERO), url)
    if unpaid:
        yield OpenItem("expenses_unpaid", ngettext(
            "%(count)s approved expense is not paid yet", "%(count)s approved expenses are not paid yet",
            len(unpaid)) % {"count": len(unpaid)}, len(unpaid), sum(unpaid, ZERO), url)


@open_item_check
def _cash_not_handed_over(month):
    """Fees building heads collected up to the month's end that the treasurer has not confirmed receiving."""
    held = Payment.objects.standing().filter(
        needs_handover=True, handover__isnull=True, date__lte=month_end(month),
    ).aggregate(count=Count("pk"), total=exact_sum("amount"))
    if held["count"]:
        yield OpenItem("cash_with_heads", ngettext(
            "%(count)s collection by building heads is not handed over yet",
            "%(count)s collections by building heads are not handed over yet",
            held["count"]) % {"count": held["count"]}, held["count"], held["total"], reverse("ledger:handovers"))


@open_item_check
def _households_not_billed(month):
    """Households on the register without the month's fee: billing has not run (or missed a new household)."""
    count = Household.objects.filter(is_active=True).exclude(charges__month=month).count()
    if count:
        yield OpenItem("not_billed", ngettext(
            "%(count)s household is not billed for this month", "%(count)s households are not billed for this month",
            count) % {"count": count}, count, None, reverse("ledger:billing"))


def blocking_items(month):
    return [item for item in open_items(month) if item.blocks]


@dataclass(frozen=True)
class CloseFigures:
    """What the confirmation names: the month's money in and out and the balances it ends with.

    `balances` and `funds` are (name, amount) pairs: cash, bank and money still with building heads,
    then each designated fund. `last_seq` is the number of the last posting the close seals.
    """

    income: Decimal
    expense: Decimal
    balances: list
    balance_total: Decimal
    funds: list
    last_seq: int


def close_figures(month):
    report = month_report(month.year, month.month)
    names = dict(Account.objects.filter(code__in=MONEY_ACCOUNTS).values_list("code", "name"))
    balances = [(names[code], report.closing[code]) for code in MONEY_ACCOUNTS]
    return CloseFigures(
        income=report.received + report.other_income_total, expense=report.expense_total,
        balances=balances, balance_total=sum((amount for _name, amount in balances), ZERO),
        funds=list(report.closing["funds"].items()), last_seq=report.head_seq,
    )
