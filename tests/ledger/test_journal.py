from datetime import date
from decimal import Decimal
from importlib import import_module
from io import StringIO

import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from accounts.models import ActivityRecord
from ledger import services
from ledger.checks import first_violation, violations
from ledger.models import ChainHead, ClosedMonth, Entry, SpentPayment, Transaction
from ledger.services import Line
from tests.ledger.base import FEB, JAN, LedgerTestCase, without_append_only


def post(lines, day=date(2026, 1, 10), by=None):
    with transaction.atomic():
        return services._post(head=services._lock_chain(), date=day, kind=Transaction.Kind.INCOME,
                              memo="test", lines=lines, by=by)


PARKING = [Line("cash", Decimal("100.00")), Line("parking", Decimal("-100.00"))]


@time_machine.travel(date(2026, 4, 10))
class JournalTest(LedgerTestCase):
    def test_it_posts_lines_that_add_up_to_zero_on_a_hash_chain(self):
        first = post(PARKING)
        second = post(PARKING)
        self.assertEqual((first.seq, second.seq), (1, 2))
        self.assertEqual(second.prev_hash, first.hash)
        self.assertEqual(ChainHead.objects.get().hash, second.hash)
        self.assertEqual(sum(e.amount for e in second.entries.all()), Decimal("0.00"))
        self.assertIsNone(first_violation())

    def test_it_refuses_lines_that_do_not_add_up(self):
        for lines in (
            [Line("cash", Decimal("100.00")), Line("parking", Decimal("-99.99"))],
            [Line("cash", Decimal("100.00"))],
            [Line("cash", Decimal("0.005")), Line("parking", Decimal("-0.005"))],
        ):
            with self.subTest(lines=lines), self.assertRaises(ValidationError):
                post(lines)
        self.assertFalse(Transaction.objects.exists())
        self.assertEqual(ChainHead.objects.get().seq, 0)

    def test_the_database_refuses_to_change_or_delete_posted_rows(self):
        txn = post(PARKING)
        entry = txn.entries.first()
        for statement in (
            f"UPDATE ledger_transaction SET memo = 'forged' WHERE id = {txn.pk}",
            f"DELETE FROM ledger_transaction WHERE id = {txn.pk}",
            f"UPDATE ledger_entry SET amount = 1 WHERE id = {entry.pk}",
            f"DELETE FROM ledger_entry WHERE id = {entry.pk}",
        ):
            with self.subTest(statement=statement), self.assertRaises(DatabaseError), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement)
        self.assertEqual(Entry.objects.get(pk=entry.pk).amount, entry.amount)

    def test_a_reversal_mirrors_the_original_and_points_at_it(self):
        original = post(PARKING)
        reversal = services.transaction_reverse(original=original, reason="记错了", by=self.treasurer)
        self.assertEqual(reversal.reverses, original)
        self.assertEqual(sorted(e.amount for e in reversal.entries.all()), [Decimal("-100.00"), Decimal("100.00")])
        self.assertEqual(reversal.date, date(2026, 4, 10))
        self.assertTrue(ActivityRecord.objects.filter(verb="ledger.transaction.reversed").exists())
        self.assertIsNone(first_violation())

    def test_a_transaction_is_reversed_at_most_once(self):
        original = post(PARKING)
        services.transaction_reverse(original=original, reason="记错了", by=self.treasurer)
        with self.assertRaisesMessage(ValidationError, "already been reversed"):
            services.transaction_reverse(original=original, reason="again", by=self.treasurer)
        self.assertEqual(Transaction.objects.count(), 2)

    def test_the_database_also_refuses_a_second_reversal(self):
        original = post(PARKING)
        services.transaction_reverse(original=original, reason="记错了", by=self.treasurer)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Transaction.objects.create(seq=99, date=date(2026, 4, 1), kind="reversal", memo="x", amount=1,
                                       reverses=original, prev_hash="x", hash="y")

    def test_a_reversal_of_a_reversal_is_refused(self):
        reversal = services.transaction_reverse(original=post(PARKING), reason="记错了", by=self.treasurer)
        with self.assertRaisesMessage(ValidationError, "cannot itself be reversed"):
            services.transaction_reverse(original=reversal, reason="undo", by=self.treasurer)

    def test_a_reversal_needs_a_reason(self):
        with self.assertRaises(ValidationError):
            services.transaction_reverse(original=post(PARKING), reason="  ", by=self.treasurer)


@time_machine.travel(date(2026, 4, 10))
class MonthCloseTest(LedgerTestCase):
    def test_a_closed_month_refuses_postings(self):
        post(PARKING, day=date(2026, 1, 10))
        closed = services.month_close(month=JAN, by=self.chair)
        self.assertEqual(closed.head_seq, 1)
        with self.assertRaisesMessage(ValidationError, "2026-01 is closed"):
            post(PARKING, day=date(2026, 1, 31))
        post(PARKING, day=date(2026, 2, 1))
        self.assertEqual(Transaction.objects.count(), 2)
        self.assertTrue(ActivityRecord.objects.filter(verb="ledger.month.closed").exists())

    def test_nothing_is_posted_before_a_closed_month_either(self):
        # A month before the first closed one is not closed itself, but money dated in it would change the
        # opening balance of every closed month, and so the figures of notices already on the board.
        post(PARKING, day=date(2026, 1, 10))
        services.month_close(month=JAN, by=self.chair)
        with self.assertRaisesMessage(ValidationError, "closed up to 2026-01"):
            services.income_record(kind="parking", date=date(2025, 11, 5), source="临停", amount=Decimal("50.00"),
                                   method="cash", by=self.treasurer)
        with self.assertRaisesMessage(ValidationError, "closed up to 2026-01"):
            services.month_bill(month=date(2025, 12, 1), by=self.treasurer)
        with self.assertRaisesMessage(ValidationError, "closed up to 2026-01"):
            self.pay("39.59", day=date(2025, 12, 20))
        self.assertEqual(Transaction.objects.count(), 1)
        self.assertIsNone(first_violation())

    def test_a_reversal_of_a_closed_months_posting_is_dated_today(self):
        original = post(PARKING, day=date(2026, 1, 10))
        services.month_close(month=JAN, by=self.chair)
        reversal = services.transaction_reverse(original=original, reason="记错了", by=self.treasurer)
        self.assertEqual(reversal.date, date(2026, 4, 10))
        with self.assertRaises(ValidationError):
            services.transaction_reverse(original=post(PARKING, day=FEB), reason="x", by=self.treasurer,
                                         date=date(2026, 1, 5))

    def test_months_close_in_order_and_only_once_over(self):
        post(PARKING, day=date(2026, 1, 10))
        with self.assertRaisesMessage(ValidationError, "Close 2026-01 before 2026-02"):
            services.month_close(month=FEB, by=self.chair)
        with self.assertRaisesMessage(ValidationError, "not over yet"):
            services.month_close(month=date(2026, 4, 1), by=self.chair)
        services.month_close(month=JAN, by=self.chair)
        with self.assertRaisesMessage(ValidationError, "already closed"):
            services.month_close(month=JAN, by=self.chair)
        services.month_close(month=FEB, by=self.chair)
        self.assertEqual(ClosedMonth.objects.count(), 2)

    def test_the_close_month_command_closes_a_month(self):
        out = StringIO()
        call_command("close_month", "2026-01", stdout=out)
        self.assertIn("2026-01: closed", out.getvalue())
        self.assertTrue(ClosedMonth.objects.filter(month=JAN).exists())


@time_machine.travel(date(2026, 4, 10))
class CheckLedgerTest(LedgerTestCase):
    def check(self):
        out, err = StringIO(), StringIO()
        try:
            call_command("check_ledger", stdout=out, stderr=err)
        except SystemExit as exit:
            return exit.code, err.getvalue()
        return 0, out.getvalue()

    def books(self):
        self.bill(JAN)
        self.pay("39.59")
        post(PARKING)
        services.transaction_reverse(original=post(PARKING), reason="记错了", by=self.treasurer)

    def test_it_passes_when_every_invariant_holds(self):
        self.books()
        self.assertEqual(self.check(), (0, "Ledger check passed: every invariant holds.\n"))

    def test_it_names_an_amount_changed_behind_the_apps_back(self):
        self.books()
        entry = Entry.objects.get(transaction__seq=3, amount__gt=0)
        with without_append_only("ledger_entry"), connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_entry SET amount = %s WHERE id = %s", [Decimal("1.00"), entry.pk])
        code, message = self.check()
        self.assertEqual(code, 1)
        self.assertIn("transaction #3: its content does not match its hash", message)

    def test_it_names_money_paid_ahead_left_beside_an_open_charge(self):
        self.bill(JAN)
        payment = self.pay("39.59")
        with without_append_only("ledger_settlement"), without_append_only("ledger_spentpayment"):
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM ledger_settlement WHERE payment_id = %s", [payment.pk])
                cursor.execute("DELETE FROM ledger_spentpayment WHERE payment_id = %s", [payment.pk])
        code, message = self.check()
        self.assertEqual(code, 1)
        self.assertIn(f"household {self.household_a.pk}: 39.59 paid ahead but its charge for 2026-01 is open",
                      message)

    def test_it_names_a_payment_noted_as_spent_wrongly_or_not_at_all(self):
        # Billing passes over payments noted as spent: a false note would hide money paid ahead.
        self.bill(JAN)
        self.pay("39.59")
        ahead = self.pay("20.00")
        SpentPayment.objects.create(payment=ahead)
        self.assertIn(f"payment #{ahead.transaction.seq}: amount 20.00, 0.00 settled, but noted as spent",
                      self.check()[1])
        with without_append_only("ledger_spentpayment"), connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_spentpayment")
        self.assertIn("payment #2: amount 39.59, 39.59 settled, but not noted as spent", self.check()[1])

    def test_the_migration_notes_the_payments_already_spent(self):
        self.bill(JAN)
        spent = self.pay("39.59")
        self.pay("20.00")  # ahead: not spent
        with without_append_only("ledger_spentpayment"), connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_spentpayment")
        import_module("ledger.migrations.0007_spent_payments").note_spent_payments(apps, None)
        self.assertEqual(list(SpentPayment.objects.values_list("payment", flat=True)), [spent.pk])
        self.assertEqual(self.check()[0], 0)

    def test_it_names_a_deleted_transaction(self):
        self.books()
        txn = Transaction.objects.get(seq=3)
        with without_append_only("ledger_entry"), without_append_only("ledger_transaction"):
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM ledger_entry WHERE transaction_id = %s", [txn.pk])
                cursor.execute("DELETE FROM ledger_transaction WHERE id = %s", [txn.pk])
        self.assertIn("transaction #4: expected number #3", self.check()[1])

    def test_it_names_lines_that_no_longer_add_up_even_with_a_forged_hash(self):
        self.books()
        txn = Transaction.objects.get(seq=4)
        entry = txn.entries.get(amount__gt=0)
        with without_append_only("ledger_entry"), without_append_only("ledger_transaction"):
            with connection.cursor() as cursor:
                cursor.execute("UPDATE ledger_entry SET amount = 1000 WHERE id = %s", [entry.pk])
        # Rewrite the rest of the chain as a careful forger would.
        previous = Transaction.objects.get(seq=3).hash
        with without_append_only("ledger_transaction"), connection.cursor() as cursor:
            for later in Transaction.objects.filter(seq__gte=4).order_by("seq"):
                later.prev_hash = previous
                digest = later.compute_hash(list(later.entries.all()))
                cursor.execute("UPDATE ledger_transaction SET prev_hash = %s, hash = %s WHERE id = %s",
                               [previous, digest, later.pk])
                previous = digest
        ChainHead.objects.filter(pk=1).update(hash=previous)
        self.assertIn("transaction #4: its lines add up to 900.00, not zero", self.check()[1])

    def post_behind_the_close(self, day):
        """Close January, then post `day` as if the close had not been there (an attacker's raw SQL)."""
        post(PARKING, day=date(2026, 1, 10))
        services.month_close(month=JAN, by=self.chair)
        with without_append_only("ledger_closedmonth"), connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_closedmonth")
        ChainHead.objects.filter(pk=1).update(closed_through=None)  # the chain head forgets it too
        post(PARKING, day=day)
        ClosedMonth.objects.create(month=JAN, head_seq=1, head_hash=Transaction.objects.get(seq=1).hash)
        ChainHead.objects.filter(pk=1).update(closed_through=JAN)

    def test_it_names_a_posting_into_a_closed_month(self):
        self.post_behind_the_close(date(2026, 1, 20))
        self.assertIn("transaction #2: posted into 2026-01, which was already closed", self.check()[1])

    def test_it_names_a_posting_dated_before_a_closed_month(self):
        self.post_behind_the_close(date(2025, 12, 20))
        self.assertIn("transaction #2: posted into 2025-12, before 2026-01, which was already closed",
                      self.check()[1])

    def test_it_names_a_gap_in_receipt_numbers(self):
        self.pay("10.00")
        self.pay("10.00")
        with without_append_only("ledger_receipt"), connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_receipt SET number = 5 WHERE number = 2")
        # The receipt number is sealed into its payment's hash: that is named first.
        self.assertIn("transaction #2: its content does not match its hash (changed after posting: the "
                      "transaction, its entries or its payment record)", self.check()[1])
        self.assertIn("receipts of 2026: 2 receipts but numbers up to 5", list(violations())[1])


@time_machine.travel(date(2026, 4, 10))
class HashNormalisationTest(LedgerTestCase):
    def test_an_amount_with_one_decimal_hashes_as_it_is_stored(self):
        post([Line("cash", Decimal("215.5")), Line("parking", Decimal("-215.5"))])
        services.income_record(kind="parking", date=date(2026, 1, 5), source="临停", amount=Decimal("2E+1"),
                               method="cash", by=self.treasurer)
        self.assertIsNone(first_violation())
