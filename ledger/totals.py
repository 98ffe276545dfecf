"""Running totals of the books, kept where postings happen, so pages read a handful of rows.

- `HouseholdTotal`: per household, what was billed, paid (not reversed), settled, the receivable balance, the
  oldest month not fully paid and how many charges are not (the dashboard, the statement, the arrears list);
- `AccountMonthTotal`: per account and month, the sum of its entries and of its debits (balances at a month's
  end, the public accounts' opening balance, budget against actual);
- `FundMonthTotal`: per designated fund and month, money raised and spent;
- `FeeMonthTotal`: per month, the collection of the charges billed for it (billed, settled, households billed and
  fully paid) and the fee money received in it (the dashboard, the arrears page, the public accounts).

Every function that changes them is called by ledger.services inside the posting's database transaction, after
the chain head is locked: postings are serial, so reading a total and writing it back cannot race. The totals
are rows that change, so no trigger can guard them as the journal is guarded; instead `check_ledger` recomputes
each from the entries, charges, payments and settlements (`expected()`) and names any that differs, and
`totals_rebuild()` writes them all again from the same sources (after a bulk load or a restore).
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Round, TruncMonth
from django.db.models.lookups import GreaterThan

from estate.aggregates import exact_sum
from ledger.models import (
    Account,
    AccountMonthTotal,
    ChainHead,
    Charge,
    Entry,
    FeeMonthTotal,
    FundMonthTotal,
    HouseholdTotal,
    Payment,
    Settlement,
    Transaction,
    month_start,
    not_reversed,
)

ZERO = Decimal("0.00")
HOUSEHOLD_FIELDS = ("billed", "paid", "settled", "balance")
OPEN_FIELDS = ("oldest_open", "open_charges")
FEE_FIELDS = ("billed", "settled", "households_billed", "households_paid", "received", "payments", "undone")
# Where fee money arrives (reports.MONEY_ACCOUNTS); a hand-over between them is no fee line.
MONEY_CODES = (Account.CASH, Account.BANK, Account.HELD_BY_HEADS)


# --- Kept as postings happen ------------------------------------------------------------------------------


def entries_posted(entries, *, day, receivable_id, households=True, money_ids=None):
    """A transaction dated `day` posted `entries`: add them to their account's, fund's and (unless `households` is
    false: billing adds its own, households_billed) household's totals. `money_ids`: the transaction is a fee
    payment or its reversal, and its entries in these accounts (cash, bank, held by heads) are the fee money
    received in the month."""
    month = month_start(day)
    if money_ids:
        moved = [entry.amount for entry in entries if entry.account_id in money_ids]
        fees_add({month: {"received": sum(moved, ZERO), "payments": sum(1 for amount in moved if amount > 0),
                          "undone": sum(1 for amount in moved if amount < 0)}})
    by_account = defaultdict(lambda: [ZERO, ZERO])
    by_fund = defaultdict(lambda: [ZERO, ZERO])
    balances = defaultdict(lambda: ZERO)
    for entry in entries:
        by_account[entry.account_id][0] += entry.amount
        if entry.amount > 0:
            by_account[entry.account_id][1] += entry.amount
        if entry.fund_id is not None:
            # Money raised is a credit to the fund, money spent from it a debit.
            by_fund[entry.fund_id][0 if entry.amount < 0 else 1] += abs(entry.amount)
        if households and entry.household_id is not None and entry.account_id == receivable_id:
            balances[entry.household_id] += entry.amount
    _month_rows_add(AccountMonthTotal, "account_id", month, by_account, ("total", "debits"))
    _month_rows_add(FundMonthTotal, "fund_id", month, by_fund, ("raised", "spent"))
    households_add({household_id: {"balance": amount} for household_id, amount in balances.items()})


def _month_rows_add(model, key, month, sums, fields):
    """Add `sums` ({key value: [first field, second field]}) to the month's rows of `model`, making missing ones."""
    if not sums:
        return
    rows = {getattr(row, key): row for row in model.objects.filter(**{f"{key}__in": list(sums), "month": month})}
    missing = [model(**{key: value, "month": month}) for value in sums if value not in rows]
    for row in missing:
        rows[getattr(row, key)] = row
    for value, amounts in sums.items():
        row = rows[value]
        for field, amount in zip(fields, amounts, strict=True):
            setattr(row, field, getattr(row, field) + amount)
    model.objects.bulk_create(missing)
    existing = [row for value, row in rows.items() if row.pk is not None and row not in missing]
    model.objects.bulk_update(existing, fields, batch_size=500)


def households_add(deltas, *, refresh=()):
    """Add `deltas` ({household id: {field: amount}}) to the totals of a few households (a payment's, a
    reversal's). `refresh`: households whose oldest open month is read again from their charges (a payment
    settled some, a reversal opened some again)."""
    ids = set(deltas) | set(refresh)
    if not ids:
        return
    rows = {row.household_id: row for row in HouseholdTotal.objects.filter(household_id__in=ids)}
    missing = [HouseholdTotal(household_id=household_id) for household_id in ids if household_id not in rows]
    HouseholdTotal.objects.bulk_create(missing, batch_size=2000)
    rows.update((row.household_id, row) for row in missing)
    for household_id, changes in deltas.items():
        row = rows[household_id]
        for field, amount in changes.items():
            setattr(row, field, getattr(row, field) + amount)
    if refresh:
        open_charges = {
            household_id: (oldest, count)
            for household_id, oldest, count in Charge.objects.filter(household_id__in=refresh)
            .unpaid()
            .order_by()
            .values("household_id")
            .annotate(oldest=Min("month"), count=Count("pk"))
            .values_list("household_id", "oldest", "count")
        }
        for household_id in refresh:
            rows[household_id].oldest_open, rows[household_id].open_charges = open_charges.get(household_id, (None, 0))
    HouseholdTotal.objects.bulk_update(rows.values(), [*HOUSEHOLD_FIELDS, *OPEN_FIELDS], batch_size=500)


def households_billed(month, household_ids):
    """Add a billing run of `month` (its charges and the money paid ahead it settled) to the households' totals.

    One UPDATE that reads each household's new charge and what was settled of it, rather than a row written
    back per household: billing 5,000 households stays within its two seconds.
    """
    existing = set(HouseholdTotal.objects.filter(household_id__in=household_ids).values_list("household_id", flat=True))
    HouseholdTotal.objects.bulk_create(
        [HouseholdTotal(household_id=household_id) for household_id in set(household_ids) - existing], batch_size=2000
    )
    charge = Charge.objects.filter(household_id=OuterRef("household_id"), month=month)
    amount = Subquery(charge.values("amount")[:1])
    settled = Coalesce(
        Subquery(
            Settlement.objects.filter(charge__household_id=OuterRef("household_id"), charge__month=month)
            .order_by()
            .values("charge__household_id")
            .annotate(total=exact_sum("amount"))
            .values("total")
        ),
        Value(ZERO),
    )
    HouseholdTotal.objects.filter(Exists(charge)).update(
        # Rounded in the SQL: SQLite adds decimals as binary floating point (estate.aggregates).
        billed=Round(F("billed") + amount, 2),
        balance=Round(F("balance") + amount, 2),
        settled=Round(F("settled") + settled, 2),
        oldest_open=Case(
            When(oldest_open__isnull=False, then=F("oldest_open")),
            When(GreaterThan(amount, settled), then=Value(month)),
            default=None,
        ),
        open_charges=Case(When(GreaterThan(amount, settled), then=F("open_charges") + 1), default=F("open_charges")),
    )


def fees_add(deltas):
    """Add `deltas` ({month: {field: amount}}) to the months' fee totals, making missing rows."""
    deltas = {month: changes for month, changes in deltas.items() if any(changes.values())}
    if not deltas:
        return
    rows = {row.month: row for row in FeeMonthTotal.objects.filter(month__in=list(deltas))}
    missing = [FeeMonthTotal(month=month) for month in deltas if month not in rows]
    rows.update((row.month, row) for row in missing)
    for month, changes in deltas.items():
        row = rows[month]
        for field, amount in changes.items():
            setattr(row, field, getattr(row, field) + amount)
    FeeMonthTotal.objects.bulk_create(missing)
    FeeMonthTotal.objects.bulk_update([row for row in rows.values() if row not in missing], FEE_FIELDS)


def fees_billed(charges):
    """A billing run made `charges`: the month's fees billed and households billed (a fee of zero is none)."""
    deltas = defaultdict(lambda: {"billed": ZERO, "households_billed": 0})
    for charge in charges:
        if charge.amount > 0:
            deltas[charge.month]["billed"] += charge.amount
            deltas[charge.month]["households_billed"] += 1
    fees_add(deltas)


def fees_settled(settled):
    """Settlements were made: `settled` is [(charge, amount, what is still due of the charge after it)]; a charge
    with nothing left due is a household fully paid for its month."""
    deltas = defaultdict(lambda: {"settled": ZERO, "households_paid": 0})
    for charge, amount, due in settled:
        deltas[charge.month]["settled"] += amount
        if not due:
            deltas[charge.month]["households_paid"] += 1
    fees_add(deltas)


def fees_unsettled(settlements):
    """The payment of `settlements` was reversed (already posted): take them off their months, and a charge that
    was fully paid before is no longer. One query for what the charges still have paid."""
    settlements = list(settlements)
    paid_now = dict(Charge.objects.filter(pk__in={s.charge_id for s in settlements}).with_paid()
                    .values_list("pk", "paid"))
    deltas = defaultdict(lambda: {"settled": ZERO, "households_paid": 0})
    for settlement in settlements:
        charge = settlement.charge
        deltas[charge.month]["settled"] -= settlement.amount
        if paid_now[charge.pk] + settlement.amount >= charge.amount > paid_now[charge.pk]:
            deltas[charge.month]["households_paid"] -= 1
    fees_add(deltas)


def settled_by(settlements):
    """{household id: {"settled": amount}} of `settlements` (of payments not reversed)."""
    deltas = defaultdict(lambda: {"settled": ZERO})
    for settlement in settlements:
        deltas[settlement.payment.household_id]["settled"] += settlement.amount
    return deltas


# --- Recomputed from the books ------------------------------------------------------------------------------


def expected():
    """Every total as the books give it: (households, account months, fund months), each a dict of the figures
    by key, zero rows left out. A handful of grouped queries, whatever the age of the books."""
    households = defaultdict(lambda: dict.fromkeys(HOUSEHOLD_FIELDS, ZERO) | {"oldest_open": None, "open_charges": 0})
    sums = [
        ("billed", Charge.objects.values_list("household_id").annotate(total=exact_sum("amount"))),
        (
            "paid",
            Payment.objects.filter(not_reversed()).values_list("household_id").annotate(total=exact_sum("amount")),
        ),
        (
            "settled",
            Settlement.objects.filter(not_reversed("payment__transaction_id"))
            .values_list("payment__household_id")
            .annotate(total=exact_sum("amount")),
        ),
        (
            "balance",
            # By the account's id, not its code: joined by code, PostgreSQL misjudged the rows (see check_ledger).
            Entry.objects.filter(account__in=list(Account.objects.filter(code=Account.RECEIVABLE)),
                                 household__isnull=False)
            .values_list("household_id")
            .annotate(total=exact_sum("amount")),
        ),
    ]
    for field, rows in sums:
        for household_id, total in rows.order_by():
            if total:
                households[household_id][field] = total
    # Only a household billed more than was settled has an open month (no charge is settled beyond its amount:
    # check_ledger looks first), so only the few households in arrears or with a bill not yet due are searched.
    owing = [household_id for household_id, row in households.items() if row["billed"] > row["settled"]]
    fully_settled = (
        Settlement.objects.filter(not_reversed("payment__transaction_id"), charge__household_id__in=owing)
        .values("charge_id")
        .annotate(total=exact_sum("amount"))
        .filter(total__gte=F("charge__amount"))
        .values("charge_id")
    )
    # One row an open charge (a household has one charge a month): the households' oldest open month and count,
    # and each month's charges not fully paid and what is unpaid of them (what was paid of the partly paid ones
    # taken off below).
    open_by_month = defaultdict(lambda: [0, ZERO])
    for household_id, month, amount in (
        Charge.objects.filter(household_id__in=owing, amount__gt=0).exclude(pk__in=fully_settled)
        .values_list("household_id", "month", "amount")
    ):
        row = households[household_id]
        row["oldest_open"] = min(month, row["oldest_open"] or month)
        row["open_charges"] += 1
        open_by_month[month][0] += 1
        open_by_month[month][1] += amount
    for month, paid in (
        Settlement.objects.filter(not_reversed("payment__transaction_id"), charge__household_id__in=owing)
        .values("charge_id").annotate(total=exact_sum("amount")).filter(total__lt=F("charge__amount"))
        .values_list("charge__month", "total")
    ):
        open_by_month[month][1] -= paid

    accounts = {}
    for account_id, month, total, debits in (
        Entry.objects.annotate(month=TruncMonth("transaction__date"))
        .values_list("account_id", "month")
        .annotate(total=exact_sum("amount"), debits=exact_sum("amount", filter=Q(amount__gt=0)))
        .order_by()
    ):
        accounts[(account_id, _as_date(month))] = {"total": total, "debits": debits}
    funds = {}
    for fund_id, month, raised, spent in (
        Entry.objects.filter(fund__isnull=False)
        .annotate(month=TruncMonth("transaction__date"))
        .values_list("fund_id", "month")
        .annotate(raised=exact_sum("amount", filter=Q(amount__lt=0)), spent=exact_sum("amount", filter=Q(amount__gt=0)))
        .order_by()
    ):
        funds[(fund_id, _as_date(month))] = {"raised": -raised, "spent": spent}
    return dict(households), accounts, funds, _fees_expected(open_by_month)


def _fees_expected(open_by_month):
    """{month: fee figures} as the charges, settlements and entries give them, zero rows left out.

    `open_by_month`: {month: [charges not fully paid, what is unpaid of them]}. Every other charge is paid in full
    (no charge is settled beyond its amount: check_ledger looks first), so a month's settled money is what was
    billed less what is unpaid: ten years of settlements are not summed again by month.
    """
    fees = defaultdict(lambda: dict.fromkeys(FEE_FIELDS, ZERO) | {"households_billed": 0, "households_paid": 0,
                                                                  "payments": 0, "undone": 0})
    for month, billed, count in (Charge.objects.filter(amount__gt=0).values_list("month")
                                 .annotate(billed=exact_sum("amount"), count=Count("pk")).order_by()):
        fees[month]["billed"], fees[month]["households_billed"] = billed, count
    for month, row in fees.items():
        count, unpaid = open_by_month.get(month, (0, ZERO))
        row["settled"] = row["billed"] - unpaid
        row["households_paid"] = row["households_billed"] - count
    fee_payment = (Q(transaction__kind=Transaction.Kind.PAYMENT)
                   | Q(transaction__reverses__kind=Transaction.Kind.PAYMENT))
    for month, received, payments, undone in (
        Entry.objects.filter(fee_payment, account__in=list(Account.objects.filter(code__in=MONEY_CODES)))
        .annotate(month=TruncMonth("transaction__date")).values_list("month")
        .annotate(received=exact_sum("amount"), payments=Count("pk", filter=Q(amount__gt=0)),
                  undone=Count("pk", filter=Q(amount__lt=0)))
        .order_by()
    ):
        row = fees[_as_date(month)]
        row["received"], row["payments"], row["undone"] = received, payments, undone
    return {month: row for month, row in fees.items() if any(row.values())}


def _as_date(value):
    return value.date() if hasattr(value, "date") else value


def _stored():
    households = {
        row["household_id"]: row
        for row in HouseholdTotal.objects.values("household_id", *HOUSEHOLD_FIELDS, *OPEN_FIELDS)
    }
    accounts = {
        (row["account_id"], row["month"]): row
        for row in AccountMonthTotal.objects.values("account_id", "month", "total", "debits")
    }
    funds = {
        (row["fund_id"], row["month"]): row
        for row in FundMonthTotal.objects.values("fund_id", "month", "raised", "spent")
    }
    fees = {row["month"]: row for row in FeeMonthTotal.objects.values("month", *FEE_FIELDS)}
    return households, accounts, funds, fees


def differences():
    """Sentences naming each stored total that differs from the books, households first (check_ledger)."""
    want_households, want_accounts, want_funds, want_fees = expected()
    have_households, have_accounts, have_funds, have_fees = _stored()
    blank = dict.fromkeys(HOUSEHOLD_FIELDS, ZERO) | {"oldest_open": None, "open_charges": 0}
    for household_id in sorted(set(want_households) | set(have_households)):
        want = want_households.get(household_id, blank)
        have = have_households.get(household_id, blank)
        for field in (*HOUSEHOLD_FIELDS, *OPEN_FIELDS):
            if want[field] != have[field]:
                yield (f"totals of household {household_id}: {field} is {have[field]}, the books give {want[field]}")
    for label, want_rows, have_rows, fields in (
        ("account", want_accounts, have_accounts, ("total", "debits")),
        ("fund", want_funds, have_funds, ("raised", "spent")),
    ):
        for key in sorted(set(want_rows) | set(have_rows)):
            want, have = want_rows.get(key, {}), have_rows.get(key, {})
            for field in fields:
                if want.get(field, ZERO) != have.get(field, ZERO):
                    yield (
                        f"totals of {label} {key[0]} for {key[1]:%Y-%m}: {field} is {have.get(field, ZERO)}, "
                        f"the books give {want.get(field, ZERO)}"
                    )
    for month in sorted(set(want_fees) | set(have_fees)):
        want, have = want_fees.get(month, {}), have_fees.get(month, {})
        for field in FEE_FIELDS:
            if want.get(field, 0) != have.get(field, 0):
                yield (f"fee totals of {month:%Y-%m}: {field} is {have.get(field, 0)}, "
                       f"the books give {want.get(field, 0)}")


@transaction.atomic
def totals_rebuild():
    """Write every running total again from the entries, charges, payments and settlements.

    For whoever writes the books without the services (the benchmark's bulk builder) and after a restore.
    Holds the chain lock, so no posting runs beside it.
    """
    ChainHead.objects.select_for_update().filter(pk=1).first()
    households, accounts, funds, fee_months = expected()
    FeeMonthTotal.objects.all().delete()
    FeeMonthTotal.objects.bulk_create([FeeMonthTotal(month=month, **row) for month, row in fee_months.items()])
    HouseholdTotal.objects.all().delete()
    AccountMonthTotal.objects.all().delete()
    FundMonthTotal.objects.all().delete()
    HouseholdTotal.objects.bulk_create(
        [HouseholdTotal(household_id=household_id, **figures) for household_id, figures in households.items()],
        batch_size=2000,
    )
    AccountMonthTotal.objects.bulk_create(
        [
            AccountMonthTotal(account_id=account_id, month=month, **figures)
            for (account_id, month), figures in accounts.items()
        ],
        batch_size=2000,
    )
    FundMonthTotal.objects.bulk_create(
        [FundMonthTotal(fund_id=fund_id, month=month, **figures) for (fund_id, month), figures in funds.items()],
        batch_size=2000,
    )
