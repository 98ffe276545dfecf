"""What a posting states besides its entries, sealed into its hash (docs/ARCHITECTURE.md, "Money that cannot
be bent").

A transaction posted with hash version 2 hashes, with its entries, the record that says what the money
was: the income; the payment with its household and receipt number; the expense with its payee,
description, category, fund and approvers; the cash hand-over. check_ledger reads every record back in
bulk and recomputes each hash, so a payee changed, a receipt renumbered or deleted, or a payment moved to
another household breaks the chain from that transaction on, and so every head printed after it.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

INCOME = ("account_id", "fund_id", "date", "source", "period", "amount", "method", "recorded_by_id")
PAYMENT = ("household_id", "amount", "method", "reference", "date", "payer_name", "first_month", "last_month",
           "needs_handover", "received_by_id")
EXPENSE = ("date", "category_id", "fund_id", "payee", "payee_is_person", "amount", "description", "entered_by_id")
HANDOVER = ("payment_id", "confirmed_by_id")


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _record(kind, fields, get, **extra):
    return {"kind": kind, **{field: _plain(get(field)) for field in fields}, **extra}


def income_record(income):
    return _record("income", INCOME, lambda field: getattr(income, field))


def payment_record(payment, *, receipt_year, receipt_number):
    return _record("payment", PAYMENT, lambda field: getattr(payment, field),
                   receipt=[receipt_year, receipt_number])


def expense_record(expense, *, approver_ids):
    return _record("expense", EXPENSE, lambda field: getattr(expense, field), approvers=sorted(approver_ids))


def handover_record(payment_id, confirmed_by_id):
    return {"kind": "handover", "payment_id": payment_id, "confirmed_by_id": confirmed_by_id}


def records_by_transaction():
    """{transaction id: its record} for every record in the books, in a handful of queries."""
    from ledger.models import Approval, CashHandover, Expense, Income, Payment

    # In no order (.order_by()): the models' own orderings sorted 48,000 payments by date for nothing.
    records = {}
    for row in Income.objects.order_by().values("transaction_id", *INCOME).iterator(chunk_size=5000):
        records[row["transaction_id"]] = _record("income", INCOME, row.get)
    for row in Payment.objects.order_by().values("transaction_id", "receipt__year", "receipt__number",
                                      *PAYMENT).iterator(chunk_size=5000):
        records[row["transaction_id"]] = _record("payment", PAYMENT, row.get,
                                                 receipt=[row["receipt__year"], row["receipt__number"]])
    approvers = defaultdict(list)
    for expense_id, approver_id in Approval.objects.filter(expense__transaction__isnull=False).values_list(
            "expense_id", "approver_id"):
        approvers[expense_id].append(approver_id)
    for row in Expense.objects.filter(transaction__isnull=False).order_by().values("pk", "transaction_id", *EXPENSE):
        records[row["transaction_id"]] = _record("expense", EXPENSE, row.get,
                                                 approvers=sorted(approvers[row["pk"]]))
    for row in CashHandover.objects.order_by().values("transaction_id", *HANDOVER):
        records[row["transaction_id"]] = handover_record(row["payment_id"], row["confirmed_by_id"])
    return records
