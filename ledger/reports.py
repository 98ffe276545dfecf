"""Figures read from the books: collection, arrears, the public accounts and the month's report.

Every function here runs a fixed number of queries whatever the number of
households or lines; the sums are done by the database.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.utils import timezone

from estate.aggregates import exact_sum
from estate.models import Household
from ledger.models import (
    Account,
    Budget,
    Charge,
    ClosedMonth,
    Entry,
    Expense,
    Fund,
    Income,
    Settlement,
    Transaction,
    add_months,
    last_overdue_month,
)
from ledger.money import ZERO

MONEY_ACCOUNTS = (Account.CASH, Account.BANK, Account.HELD_BY_HEADS)


def month_end(month):
    return add_months(month, 1) - timedelta(days=1)


def percent(part, whole):
    """part / whole as a percentage with one decimal, or None when nothing was due."""
    if not whole:
        return None
    # Half up, as the committee rounds by hand (四舍五入), not Decimal's default banker's rounding.
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _settled(charges, until):
    """Sum paid toward `charges` by payments dated up to `until` and not reversed."""
    return Settlement.objects.filter(
        charge__in=charges, payment__date__lte=until, payment__transaction__reversal__isnull=True
    ).aggregate(total=exact_sum("amount"))["total"]


@dataclass
class Collection:
    billed: Decimal
    collected: Decimal
    rate: Decimal | None
    households_paid: int
    households_billed: int


def collection(month, *, until=None):
    """Collection for a month: paid toward that month's charges ÷ billed, and households fully paid.

    `until` counts payments made up to that day (the month's last day for a
    notice); by default every payment so far.
    """
    until = until or date.max
    charges = Charge.objects.filter(month=month, amount__gt=0)
    billed = charges.aggregate(total=exact_sum("amount"))["total"]
    collected = _settled(charges, until)
    households = charges.with_paid(until).aggregate(total=Count("pk"),
                                                    full=Count("pk", filter=Q(paid__gte=F("amount"))))
    return Collection(billed, collected, percent(collected, billed), households["full"], households["total"])


def collection_year_to_date(month, *, until=None):
    """Collection for January to `month` of its year, as one figure."""
    until = until or date.max
    charges = Charge.objects.filter(month__gte=month.replace(month=1), month__lte=month, amount__gt=0)
    billed = charges.aggregate(total=exact_sum("amount"))["total"]
    collected = _settled(charges, until)
    return Collection(billed, collected, percent(collected, billed), 0, 0)


@dataclass
class Arrear:
    household_id: int
    code: str
    owed: Decimal
    open_months: int
    oldest: date | None


def arrears(*, until=None, households=None):
    """Households in arrears on `until` (default: today), the largest debt first.

    A month's fee is in arrears once its due day (settings.LEDGER_BILL_DUE_DAY)
    has passed unpaid: on 3 December, December's bill is not yet. One row per
    household with the overdue amount, the number of overdue months and the
    oldest. `households` narrows the query (a building head's).
    """
    until = until or timezone.localdate()
    households = households if households is not None else Household.objects.all()
    # Only households with something on their account can be in arrears: a cheap first cut, so the
    # charges summed below are those of a few households, however old the books.
    owing = (
        Entry.objects.filter(account__code=Account.RECEIVABLE, transaction__date__lte=until,
                             household__in=households)
        .values_list("household_id").annotate(total=exact_sum("amount")).filter(total__gt=0)
        .values_list("household_id", flat=True)
    )
    overdue = (
        Charge.objects.filter(household_id__in=owing, month__lte=last_overdue_month(until), amount__gt=0)
        .unpaid(until)
        .values_list("household_id", "month", "amount", "paid", "household__code")
    )
    rows = {}
    for household_id, month, amount, paid, code in overdue:
        row = rows.setdefault(household_id, Arrear(household_id, code, ZERO, 0, month))
        row.owed += amount - paid
        row.open_months += 1
        row.oldest = min(row.oldest, month)
    return sorted(rows.values(), key=lambda row: (-row.owed, row.code))


def balances(until, codes=MONEY_ACCOUNTS):
    """Balances of accounts (by code) at the end of `until`, cash and bank as debit balances."""
    rows = dict(
        Entry.objects.filter(account__code__in=codes, transaction__date__lte=until)
        .values_list("account__code").annotate(total=exact_sum("amount")).values_list("account__code", "total")
    )
    return {code: rows.get(code, ZERO) for code in codes}


def fund_figures(until):
    """Each designated fund's raised, spent and remaining money at the end of `until`."""
    funds = Fund.objects.annotate(
        raised=exact_sum("entries__amount", filter=Q(entries__amount__lt=0,
                                                         entries__transaction__date__lte=until)),
        spent=exact_sum("entries__amount", filter=Q(entries__amount__gt=0,
                                                        entries__transaction__date__lte=until)),
    ).order_by("pk")
    return [
        {"fund": fund, "name": fund.name, "target": fund.target, "raised": -fund.raised, "spent": fund.spent,
         "remaining": -fund.raised - fund.spent}
        for fund in funds
    ]


def budget_against_actual(year, until=None):
    """Per expense category: the year's budget, spent so far (to `until`) and the share used."""
    until = until or date(year, 12, 31)
    budgets = dict(Budget.objects.filter(year=year).values_list("account_id", "amount"))
    accounts = Account.objects.filter(kind=Account.Kind.EXPENSE).annotate(
        actual=exact_sum("entries__amount", filter=Q(entries__transaction__date__gte=date(year, 1, 1),
                                                         entries__transaction__date__lte=until))
    ).order_by("position", "code")  # Meta.ordering does not apply to a query that groups (annotate)
    rows = []
    for account in accounts:
        budget = budgets.get(account.pk)
        if budget is None and not account.actual:
            continue
        rows.append({"account": account, "name": account.name, "budget": budget, "actual": account.actual,
                     "used": percent(account.actual, budget), "over": budget is not None and account.actual > budget})
    return rows


def chain_head(until):
    """The hash chain's head at the end of a month: as recorded when it was closed, else the last
    transaction dated up to `until`. Returns (seq, hash), (0, '') for an empty journal."""
    closed = ClosedMonth.objects.filter(month=until.replace(day=1)).first()
    if closed is not None:
        return closed.head_seq, closed.head_hash
    last = Transaction.objects.filter(date__lte=until).order_by("-seq").values_list("seq", "hash").first()
    return last or (0, "")


@dataclass
class MonthReport:
    """The month's figures as the public accounts notice prints them (see month_report)."""

    month: date
    opening: dict
    closing: dict
    billed: Decimal
    collected: Decimal
    received: Decimal
    collection_rate: Decimal | None
    households_paid: int
    households_billed: int
    year_to_date: Collection
    income_by_kind: list
    other_income_total: Decimal
    expenses: list
    expense_total: Decimal
    funds: list
    budget: list
    arrears: list
    arrears_total: Decimal
    head_seq: int
    head_hash: str
    closed: bool
    incomes: list = field(default_factory=list)


def month_report(year, month):
    """All the figures of one month, for the monthly public accounts notice.

    - opening / closing: balances of cash, bank, money held by building heads
      and each designated fund, before the 1st and after the last day;
    - billed (应收): that month's charges; collected (实收): paid toward
      them by the month's end; collection_rate (收缴率) = collected ÷ billed,
      in per cent; households_paid / households_billed;
    - received: fee payments received during the month (for any month);
    - year_to_date: the same collection figures for January to this month;
    - income_by_kind: other income by account, with incomes (each line);
    - expenses: every expense paid in the month (date, category, payee,
      amount, approvers, reversed), and expense_total;
    - funds: raised / spent / remaining of each designated fund;
    - budget: budget against actual for the year to the month's end;
    - arrears: (unit code, amount, open months) — unit codes only, no names;
    - head_seq / head_hash: the hash chain's head at the month's end.
    """
    start = date(year, month, 1)
    end = month_end(start)
    day_before = start - timedelta(days=1)
    fund_open = {row["fund"].pk: row["remaining"] for row in fund_figures(day_before)}
    funds = fund_figures(end)
    opening = {**balances(day_before), "funds": {f["name"]: fund_open.get(f["fund"].pk, ZERO) for f in funds}}
    closing = {**balances(end), "funds": {f["name"]: f["remaining"] for f in funds}}
    month_collection = collection(start, until=end)
    received = -Entry.objects.filter(
        account__code=Account.RECEIVABLE, transaction__kind=Transaction.Kind.PAYMENT,
        transaction__date__gte=start, transaction__date__lte=end,
    ).aggregate(total=exact_sum("amount"))["total"]
    # Reversals of payments in the month take their money back out of "received".
    received -= Entry.objects.filter(
        account__code=Account.RECEIVABLE, transaction__kind=Transaction.Kind.REVERSAL,
        transaction__reverses__kind=Transaction.Kind.PAYMENT,
        transaction__date__gte=start, transaction__date__lte=end,
    ).aggregate(total=exact_sum("amount"))["total"]
    income_rows = (
        Entry.objects.filter(account__kind=Account.Kind.INCOME, transaction__date__gte=start,
                             transaction__date__lte=end)
        .exclude(account__code=Account.FEE_INCOME)
        .values("account__code", "account__name", "account__position")
        .annotate(total=exact_sum("amount"))
        .order_by("account__position")
    )
    income_by_kind = [{"code": r["account__code"], "name": r["account__name"], "amount": -r["total"]}
                      for r in income_rows if r["total"]]
    incomes = list(Income.objects.filter(date__gte=start, date__lte=end).select_related("account", "fund")
                   .order_by("date", "pk"))
    expenses = [
        {"date": e.transaction.date, "category": e.category.name, "payee": e.payee, "amount": e.amount,
         "description": e.description, "fund": e.fund.name if e.fund else "",
         "approvers": [str(a.approver) for a in e.approvals.all()],
         "reversed": hasattr(e.transaction, "reversal"), "expense": e}
        for e in Expense.objects.filter(status=Expense.Status.PAID, transaction__date__gte=start,
                                        transaction__date__lte=end)
        .select_related("category", "fund", "transaction__reversal")
        .prefetch_related("approvals__approver")
        .order_by("transaction__date", "transaction__seq")
    ]
    # Money paid out for expenses in the month (from the budget or a fund), net of reversals dated in it.
    expense_total = -Entry.objects.filter(
        Q(transaction__kind=Transaction.Kind.EXPENSE) | Q(transaction__reverses__kind=Transaction.Kind.EXPENSE),
        account__code__in=MONEY_ACCOUNTS, transaction__date__gte=start, transaction__date__lte=end,
    ).aggregate(total=exact_sum("amount"))["total"]
    owing = [{"code": a.code, "owed": a.owed, "open_months": a.open_months} for a in arrears(until=end)]
    owing.sort(key=lambda row: row["code"])
    head_seq, head_hash = chain_head(end)
    return MonthReport(
        month=start, opening=opening, closing=closing,
        billed=month_collection.billed, collected=month_collection.collected, received=received,
        collection_rate=month_collection.rate, households_paid=month_collection.households_paid,
        households_billed=month_collection.households_billed,
        year_to_date=collection_year_to_date(start, until=end),
        income_by_kind=income_by_kind, other_income_total=sum((r["amount"] for r in income_by_kind), ZERO),
        incomes=incomes, expenses=expenses, expense_total=expense_total, funds=funds,
        budget=budget_against_actual(year, until=end), arrears=owing,
        arrears_total=sum((row["owed"] for row in owing), ZERO),
        head_seq=head_seq, head_hash=head_hash, closed=ClosedMonth.objects.filter(month=start).exists(),
    )
