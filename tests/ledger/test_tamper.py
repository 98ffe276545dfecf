"""History rewritten with the database password and the triggers switched off: check_ledger names each attack."""

from contextlib import ExitStack
from datetime import date
from decimal import Decimal

import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from ledger import services
from ledger.checks import first_violation
from ledger.models import ChainHead, ClosedMonth, Entry, MonthlyNotice, Receipt, Transaction
from ledger.sealing import records_by_transaction
from tests.ledger.base import JAN, LedgerTestCase, without_append_only


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def triggers_off(*tables):
    stack = ExitStack()
    for table in tables:
        stack.enter_context(without_append_only(table))
    return stack


def rehash_from(seq):
    """Recompute every hash from transaction #seq on, as a careful attacker would, and move the head along."""
    records = records_by_transaction()
    previous = Transaction.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for txn in Transaction.objects.filter(seq__gte=seq).order_by("seq"):
        txn.prev_hash = previous
        digest = txn.compute_hash(list(Entry.objects.filter(transaction=txn)), records.get(txn.pk))
        sql("UPDATE ledger_transaction SET prev_hash = %s, hash = %s WHERE id = %s", [previous, digest, txn.pk])
        previous = digest
    ChainHead.objects.filter(pk=1).update(hash=previous)
    return previous


@time_machine.travel(date(2026, 2, 3))
class TamperTest(LedgerTestCase):
    def setUp(self):
        super().setUp()
        self.bill(JAN)
        self.payment = self.pay("39.59", day=date(2026, 1, 15))
        self.income = services.income_record(kind="parking", date=date(2026, 1, 10), source="停车费",
                                             amount=Decimal("77.00"), method="cash", by=self.treasurer)
        self.expense = services.expense_pay(expense=self.approved_expense("300.00"), method="cash",
                                            date=date(2026, 1, 25), by=self.treasurer)
        self.closed = services.month_close(month=JAN, by=self.chair)
        self.pay("28.86", household=self.household_a2, day=date(2026, 2, 2))
        self.assertIsNone(first_violation())

    def test_an_income_in_a_closed_month_times_ten_with_every_hash_recomputed(self):
        txn = self.income.transaction
        with triggers_off("ledger_income", "ledger_entry", "ledger_transaction", "ledger_closedmonth"):
            sql("UPDATE ledger_income SET amount = 770 WHERE id = %s", [self.income.pk])
            sql("UPDATE ledger_entry SET amount = amount * 10 WHERE transaction_id = %s", [txn.pk])
            sql("UPDATE ledger_transaction SET amount = 770 WHERE id = %s", [txn.pk])
            rehash_from(txn.seq)
            head = Transaction.objects.get(seq=self.closed.head_seq).hash
            sql("UPDATE ledger_closedmonth SET head_hash = %s WHERE id = %s", [head, self.closed.pk])
        # Inside the database everything agrees again, but the notice posted on the board does not.
        self.assertEqual(first_violation(), "notice of 2026-01: its chain head is not the one recorded when "
                                            "2026-01 was closed")

    def test_an_expenses_amount_payee_or_description_changed(self):
        for column, value in (("amount", "3000.00"), ("payee", "别人"), ("description", "别的"),
                              ("category_id", self.income.account_id)):
            with self.subTest(column=column), triggers_off("ledger_expense"):
                sid = "tamper"
                sql(f"SAVEPOINT {sid}")
                sql(f"UPDATE ledger_expense SET {column} = %s WHERE id = %s", [value, self.expense.pk])
                self.assertEqual(first_violation(), f"transaction #{self.expense.transaction.seq}: its content does "
                                 "not match its hash (changed after posting: the transaction, its entries or its "
                                 "expense record)")
                sql(f"ROLLBACK TO SAVEPOINT {sid}")

    def test_a_receipt_deleted(self):
        with triggers_off("ledger_receipt"):
            sql("DELETE FROM ledger_receipt WHERE payment_id = %s", [self.payment.pk])
        self.assertEqual(Receipt.objects.count(), 1)
        self.assertEqual(first_violation(), f"transaction #{self.payment.transaction.seq}: its content does not "
                         "match its hash (changed after posting: the transaction, its entries or its payment record)")

    def test_a_payment_moved_to_another_household(self):
        with triggers_off("ledger_payment"):
            sql("UPDATE ledger_payment SET household_id = %s WHERE id = %s", [self.household_b.pk, self.payment.pk])
        self.assertEqual(first_violation(), f"transaction #{self.payment.transaction.seq}: its content does not "
                         "match its hash (changed after posting: the transaction, its entries or its payment record)")

    def test_the_posted_notices_snapshot_edited(self):
        notice = MonthlyNotice.objects.get(month=JAN)
        data = notice.data
        data["balances"][0]["closing"] = "9999.00"
        with triggers_off("ledger_monthlynotice"):
            MonthlyNotice.objects.filter(pk=notice.pk).update(data=data)
        self.assertEqual(first_violation(), "notice of 2026-01: it shows 库存现金 from 0.00 to 9999.00, "
                                            "the books from 0.00 to -183.41")

    def test_the_posted_notices_pdf_replaced(self):
        notice = MonthlyNotice.objects.get(month=JAN)
        default_storage.delete(notice.pdf)
        default_storage.save(notice.pdf, ContentFile(b"%PDF-1.7 another notice"))
        self.assertEqual(first_violation(), "notice of 2026-01: the stored PDF does not match the SHA-256 recorded "
                                            "when it was posted")

    def test_a_closed_months_row_deleted(self):
        with triggers_off("ledger_closedmonth"):
            sql("DELETE FROM ledger_closedmonth")
        self.assertFalse(ClosedMonth.objects.exists())
        self.assertEqual(first_violation(), "closed months: the chain head says the books are closed through "
                                            "2026-01, the closed months end at none")
