"""Figures read from the books: collection, arrears, the public accounts and the month's report.

Every function here runs a fixed number of queries whatever the number of
households or lines; the sums are done by the database.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, F, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from estate.aggregates import exact_sum
from estate.models import Household
from ledger.models import (
    Account,
    AccountMonthTotal,
    Budget,
    Charge,
    ClosedMonth,
    Entry,
    Expense,
    FeeMonthTotal,
    Fund,
    FundMonthTotal,
    HouseholdTotal,
    Income,
    Payment,
    Settlement,
    Transaction,
    add_months,
    last_overdue_month,
    not_reversed,
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
        not_reversed("payment__transaction_id"), charge__in=charges, payment__date__lte=until,
    ).aggregate(total=exact_sum("amount"))["total"]


def _months_and_rest(until):
    """Split the days up to `until` into whole months, read from the running totals (ledger.totals), and the
    days of `until`'s month up to it, read from the entries: (months before this one, first day, rest or None).
    At a month's end the rest is empty and nothing but totals is read."""
    first = until.replace(day=1)
    if until == month_end(first):
        return Q(month__lte=first), None
    return Q(month__lt=first), Q(transaction__date__gte=first, transaction__date__lte=until)


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
    if until is None:
        # Every payment so far: the month's kept totals (ledger.totals), one row instead of its 5,000 charges.
        row = FeeMonthTotal.objects.filter(month=month).first() or FeeMonthTotal(month=month)
        return Collection(row.billed, row.settled, percent(row.settled, row.billed), row.households_paid,
                          row.households_billed)
    charges = Charge.objects.filter(month=month, amount__gt=0)
    billed = charges.aggregate(total=exact_sum("amount"))["total"]
    collected = _settled(charges, until)
    households = charges.with_paid(until).aggregate(total=Count("pk"),
                                                    full=Count("pk", filter=Q(paid__gte=F("amount"))))
    return Collection(billed, collected, percent(collected, billed), households["full"], households["total"])


def collection_year_to_date(month, *, until=None):
    """Collection for January to `month` of its year, as one figure."""
    if until is None:
        figures = FeeMonthTotal.objects.filter(month__gte=month.replace(month=1), month__lte=month).aggregate(
            billed=exact_sum("billed"), settled=exact_sum("settled"))
        return Collection(figures["billed"], figures["settled"], percent(figures["settled"], figures["billed"]), 0, 0)
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
    last = last_overdue_month(until)
    # The charges that can be overdue, found from the households' running totals (ledger.totals) rather than
    # among ten years of charges: a household's charges from its oldest open month on (a join the database
    # starts from the few households with an open month). For a day in the past, a household that has paid
    # since may have had a charge open then that is settled now: its charges are all read. Today nobody has
    # paid since (no payment is dated in the future). The database sums them by household.
    paid_since = set(Payment.objects.filter(date__gt=until, household__in=households)
                     .values_list("household_id", flat=True))
    charges = Charge.objects.filter(month__lte=last, amount__gt=0)
    from_oldest_open = Q(household__ledger_total__oldest_open__lte=last,
                         month__gte=F("household__ledger_total__oldest_open"))
    if paid_since:
        open_then = HouseholdTotal.objects.filter(oldest_open__lte=last).values_list("household_id", flat=True)
        charges = charges.filter(household_id__in={*open_then, *paid_since}, household__in=households)
    else:
        charges = charges.filter(from_oldest_open, household__in=households)
    rows = (
        charges.unpaid(until).order_by().values_list("household_id", "household__code")
        .annotate(owed=exact_sum(F("amount") - F("paid")), open_months=Count("pk"), oldest=Min("month"))
    )
    return sorted((Arrear(*row) for row in rows), key=lambda row: (-row.owed, row.code))


def arrears_today(households=None, *, today=None):
    """The households in arrears today, as the running totals (ledger.totals) give them: a queryset of their
    HouseholdTotal rows with `owed` (what is overdue) and `overdue_months`, the largest debt first. Page it, or
    aggregate it for the whole list's count and sum: neither reads ten years of charges, nor a row of a household
    not in arrears.

    A household is in arrears when its oldest month not fully paid is overdue. What it owes overdue is what it
    was billed less what was settled, less what is still open of its charges not yet due (this month's, before
    its due day); its overdue months are its open charges less those. Only those few charges are read. For a day
    in the past, see arrears().
    """
    last = last_overdue_month(today or timezone.localdate())
    households = households if households is not None else Household.objects.all()
    not_due = (Charge.objects.filter(household_id=OuterRef("household_id"), month__gt=last).unpaid()
               .order_by().values("household_id"))
    open_not_due = not_due.annotate(open=exact_sum(F("amount") - F("paid"))).values("open")
    months_not_due = not_due.annotate(count=Count("pk")).values("count")
    owed = F("billed") - F("settled") - Coalesce(Subquery(open_not_due), Value(ZERO))
    return (HouseholdTotal.objects.filter(oldest_open__lte=last, household__in=households)
            # Rounded in the SQL: SQLite subtracts decimals as binary floating point (estate.aggregates).
            .annotate(owed=Round(owed, 2, output_field=DecimalField(max_digits=16, decimal_places=2)),
                      overdue_months=F("open_charges") - Coalesce(Subquery(months_not_due), Value(0)))
            .order_by("-owed", "household__code"))


def arrears_rows(totals):
    """Arrear rows of (a page of) arrears_today(), in one query."""
    return [Arrear(*row) for row in totals.values_list("household_id", "household__code", "owed", "overdue_months",
                                                       "oldest_open")]


def balances(until, codes=MONEY_ACCOUNTS):
    """Balances of accounts (by code) at the end of `until`, cash and bank as debit balances."""
    months, rest = _months_and_rest(until)
    result = dict.fromkeys(codes, ZERO)
    for code, total in (AccountMonthTotal.objects.filter(months, account__code__in=codes)
                        .values_list("account__code").annotate(total=exact_sum("total")).order_by()):
        result[code] += total
    if rest is not None:
        for code, total in (Entry.objects.filter(rest, account__code__in=codes).values_list("account__code")
                            .annotate(total=exact_sum("amount")).order_by()):
            result[code] += total
    return result


def fund_figures(until):
    """Each designated fund's raised, spent and remaining money at the end of `until`."""
    months, rest = _months_and_rest(until)
    sums = {fund_id: [raised, spent] for fund_id, raised, spent in (
        FundMonthTotal.objects.filter(months).values_list("fund_id")
        .annotate(raised=exact_sum("raised"), spent=exact_sum("spent")).order_by())}
    if rest is not None:
        for fund_id, raised, spent in (
            Entry.objects.filter(rest, fund__isnull=False).values_list("fund_id")
            .annotate(raised=exact_sum("amount", filter=Q(amount__lt=0)),
                      spent=exact_sum("amount", filter=Q(amount__gt=0))).order_by()
        ):
            row = sums.setdefault(fund_id, [ZERO, ZERO])
            row[0] -= raised
            row[1] += spent
    result = []
    for fund in Fund.objects.all():
        raised, spent = sums.get(fund.pk, (ZERO, ZERO))
        result.append({"fund": fund, "name": fund.name, "target": fund.target, "raised": raised, "spent": spent,
                       "remaining": raised - spent})
    return result


def budget_against_actual(year, until=None):
    """Per expense category: the year's budget, spent so far (to `until`) and the share used."""
    until = until or date(year, 12, 31)
    budgets = dict(Budget.objects.filter(year=year).values_list("account_id", "amount"))
    months, rest = _months_and_rest(until)
    actual = dict(AccountMonthTotal.objects.filter(months, month__gte=date(year, 1, 1),
                                                   account__kind=Account.Kind.EXPENSE)
                  .values_list("account_id").annotate(total=exact_sum("total")).order_by())
    if rest is not None:
        for account_id, total in (Entry.objects.filter(rest, account__kind=Account.Kind.EXPENSE)
                                  .values_list("account_id").annotate(total=exact_sum("amount")).order_by()):
            actual[account_id] = actual.get(account_id, ZERO) + total
    rows = []
    for account in Account.objects.filter(kind=Account.Kind.EXPENSE):
        account.actual = actual.get(account.pk, ZERO)
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
