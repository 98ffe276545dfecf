"""Many rows at once, straight into the tables, for query-count tests (not through the services: speed).

The rows are shaped like the services' rows but carry placeholder hashes; do
not run check_ledger on them. Like the benchmark's bulk builder, each helper
writes the running totals again afterwards (ledger.totals.totals_rebuild).
"""

import itertools
import uuid
from datetime import date
from decimal import Decimal

from estate.models import Household
from ledger.models import (
    Account,
    Approval,
    Attachment,
    ChainHead,
    Charge,
    ClosedMonth,
    Entry,
    Expense,
    FeeAdjustment,
    Fund,
    Income,
    Payment,
    Receipt,
    Transaction,
    add_months,
)
from ledger.totals import totals_rebuild

_room = itertools.count(1)
_month = itertools.count(0)  # months from 1800 on, never reused by two calls


def _accounts():
    return dict(Account.objects.values_list("code", "pk"))


def transactions(count, *, kind, day, lines):
    """`count` transactions with the given (account code, amount, household_id) lines."""
    accounts = _accounts()
    # Numbered on from the chain head, which moves on past them, as the services do.
    head = ChainHead.objects.get(pk=1)
    first, head.seq = head.seq + 1, head.seq + count
    head.save(update_fields=["seq"])
    txns = Transaction.objects.bulk_create([
        Transaction(seq=first + n, date=day, kind=kind, memo=f"bulk {n}", prev_hash="x", hash=uuid.uuid4().hex,
                    amount=sum((amount for _, amount, _ in lines if amount > 0), Decimal("0.00")))
        for n in range(count)
    ])
    Entry.objects.bulk_create([
        Entry(transaction=txn, line=number, account_id=accounts[code], amount=amount, household_id=household_id)
        for txn in txns for number, (code, amount, household_id) in enumerate(lines, start=1)
    ])
    totals_rebuild()
    return txns


def households(count, building):
    rooms = [next(_room) for _ in range(count)]
    made = [Household(building=building, entrance="9", floor=1, room=f"{room}", area=Decimal("50.00"),
                      code=f"{building.code}-9-{room}") for room in rooms]
    return Household.objects.bulk_create(made)


def _months(count):
    return [add_months(date(1800, 1, 1), next(_month)) for _ in range(count)]


def charges(household, count):
    Charge.objects.bulk_create([
        Charge(household=household, month=month, area=household.area, rate=Decimal("0.39"),
               amount=Decimal("19.50")) for month in _months(count)
    ])
    totals_rebuild()


def payments(household, count, *, by, needs_handover=False, day=date(2026, 1, 2)):
    txns = transactions(count, kind="payment", day=day,
                        lines=[("cash", Decimal("10.00"), None), ("receivable", Decimal("-10.00"), household.pk)])
    made = Payment.objects.bulk_create([
        Payment(household=household, amount=Decimal("10.00"), method="cash", date=day, transaction=txn,
                idempotency_key=uuid.uuid4().hex, received_by=by, needs_handover=needs_handover)
        for txn in txns
    ])
    start = Receipt.objects.filter(year=day.year).count()
    Receipt.objects.bulk_create([Receipt(payment=p, year=day.year, number=start + n + 1)
                                 for n, p in enumerate(made)])
    totals_rebuild()
    return made


def arrears(building, count, *, day=date(2026, 1, 1)):
    made = households(count, building)
    accounts = _accounts()
    txn = transactions(1, kind="billing", day=day, lines=[("fee_income", Decimal("-1.00") * count, None)])[0]
    Entry.objects.bulk_create([Entry(transaction=txn, line=n + 2, account_id=accounts["receivable"],
                                     amount=Decimal("1.00"), household=h) for n, h in enumerate(made)])
    Charge.objects.bulk_create([Charge(household=h, month=day, area=h.area, rate=Decimal("0.39"),
                                       amount=Decimal("1.00"), transaction=txn) for h in made])
    totals_rebuild()


def incomes(count, *, by, day=date(2026, 1, 3)):
    txns = transactions(count, kind="income", day=day,
                        lines=[("bank", Decimal("5.00"), None), ("parking", Decimal("-5.00"), None)])
    parking = Account.objects.get(code="parking")
    Income.objects.bulk_create([Income(account=parking, date=day, source=f"车位 {n}", amount=Decimal("5.00"),
                                       method="bank", transaction=txn, recorded_by=by)
                                for n, txn in enumerate(txns)])


def expenses(count, *, by, approver, paid=False, day=date(2026, 1, 4)):
    cleaning = Account.objects.get(code="cleaning")
    txns = (transactions(count, kind="expense", day=day,
                         lines=[("cleaning", Decimal("5.00"), None), ("cash", Decimal("-5.00"), None)])
            if paid else [None] * count)
    made = Expense.objects.bulk_create([
        Expense(date=day, category=cleaning, payee=f"保洁 {n}", amount=Decimal("5.00"), description="bulk",
                entered_by=by, status="paid" if paid else "pending", transaction=txn)
        for n, txn in enumerate(txns)
    ])
    Approval.objects.bulk_create([Approval(expense=e, approver=approver) for e in made])
    Attachment.objects.bulk_create([Attachment(expense=e, name=f"ledger/{uuid.uuid4().hex}.pdf",
                                               content_type="application/pdf", uploaded_by=by) for e in made])
    return made


def adjustments(building, count, *, by):
    FeeAdjustment.objects.bulk_create([
        FeeAdjustment(household=h, percent_off=Decimal("50"), reason="bulk", start_month=date(2030, 1, 1),
                      decided_by=by) for h in households(count, building)
    ])


def funds(count, *, by):
    Fund.objects.bulk_create([Fund(name=f"项目 {n}", created_by=by) for n in range(count)])


def closed_months(count):
    ClosedMonth.objects.bulk_create([ClosedMonth(month=month, head_seq=0, head_hash="") for month in _months(count)])
