"""Running totals of the books, kept where postings happen, so pages read a handful of rows.

- `HouseholdTotal`: per household, what was billed, paid (not reversed), settled, the receivable balance and
  the oldest month not fully paid (the dashboard, the statement, the arrears list);
- `AccountMonthTotal`: per account and month, the sum of its entries and of its debits (balances at a month's
  end, the public accounts' opening balance, budget against actual);
- `FundMonthTotal`: per designated fund and month, money raised and spent.

Every function that changes them is called by ledger.services inside the posting's database transaction, after
the chain head is locked: postings are serial, so reading a total and writing it back cannot race. The totals
are rows that change, so no trigger can guard them as the journal is guarded; instead `check_ledger` recomputes
each from the entries, charges, payments and settlements (`expected()`) and names any that differs, and
`totals_rebuild()` writes them all again from the same sources (after a bulk load or a restore).
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, Exists, F, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Round, TruncMonth
from django.db.models.lookups import GreaterThan

from estate.aggregates import exact_sum
from ledger.models import (
    Account,
    AccountMonthTotal,
    ChainHead,
    Charge,
    Entry,
    FundMonthTotal,
    HouseholdTotal,
    Payment,
    Settlement,
    month_start,
    not_reversed,
)

ZERO = Decimal("0.00")
HOUSEHOLD_FIELDS = ("billed", "paid", "settled", "balance")


# --- Kept as postings happen ------------------------------------------------------------------------------


def entries_posted(entries, *, day, receivable_id, households=True):
    """A transaction dated `day` posted `entries`: add them to their account's, fund's and (unless `households` is
    false: billing adds its own, households_billed) household's totals."""
    month = month_start(day)
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
        oldest = dict(
            Charge.objects.filter(household_id__in=refresh)
            .unpaid()
            .order_by()
            .values("household_id")
            .annotate(oldest=Min("month"))
            .values_list("household_id", "oldest")
        )
        for household_id in refresh:
            rows[household_id].oldest_open = oldest.get(household_id)
    HouseholdTotal.objects.bulk_update(rows.values(), [*HOUSEHOLD_FIELDS, "oldest_open"], batch_size=500)


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
    )


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
    households = defaultdict(lambda: dict.fromkeys(HOUSEHOLD_FIELDS, ZERO) | {"oldest_open": None})
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
            Entry.objects.filter(account__code=Account.RECEIVABLE, household__isnull=False)
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
    oldest = (
        Charge.objects.filter(household_id__in=owing, amount__gt=0)
        .exclude(pk__in=fully_settled)
        .order_by()
        .values_list("household_id")
        .annotate(oldest=Min("month"))
    )
    for household_id, month in oldest:
        households[household_id]["oldest_open"] = month

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
    return dict(households), accounts, funds


def _as_date(value):
    return value.date() if hasattr(value, "date") else value


def _stored():
    households = {
        row["household_id"]: row
        for row in HouseholdTotal.objects.values("household_id", *HOUSEHOLD_FIELDS, "oldest_open")
    }
    accounts = {
        (row["account_id"], row["month"]): row
        for row in AccountMonthTotal.objects.values("account_id", "month", "total", "debits")
    }
    funds = {
        (row["fund_id"], row["month"]): row
        for row in FundMonthTotal.objects.values("fund_id", "month", "raised", "spent")
    }
    return households, accounts, funds


def differences():
    """Sentences naming each stored total that differs from the books, households first (check_ledger)."""
    want_households, want_accounts, want_funds = expected()
    have_households, have_accounts, have_funds = _stored()
    blank = dict.fromkeys(HOUSEHOLD_FIELDS, ZERO) | {"oldest_open": None}
    for household_id in sorted(set(want_households) | set(have_households)):
        want = want_households.get(household_id, blank)
        have = have_households.get(household_id, blank)
        for field in (*HOUSEHOLD_FIELDS, "oldest_open"):
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


@transaction.atomic
def totals_rebuild():
    """Write every running total again from the entries, charges, payments and settlements.

    For whoever writes the books without the services (the benchmark's bulk builder) and after a restore.
    Holds the chain lock, so no posting runs beside it.
    """
    ChainHead.objects.select_for_update().filter(pk=1).first()
    households, accounts, funds = expected()
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
