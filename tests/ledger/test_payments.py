import threading
import uuid
from datetime import date
from decimal import Decimal
from unittest import skipUnless

import time_machine
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test import TransactionTestCase

from accounts.models import ActivityRecord
from ledger import reports, services
from ledger.chart import create_chart
from ledger.checks import first_violation
from ledger.models import (
    Account,
    ChainHead,
    Charge,
    Entry,
    FeeRate,
    Payment,
    Receipt,
    Settlement,
    Transaction,
    household_balance,
)
from tests.base import Personas
from tests.ledger.base import FEB, JAN, MAR, LedgerTestCase


def balance_of(code):
    return sum((e.amount for e in Entry.objects.filter(account__code=code)), Decimal("0.00"))


@time_machine.travel(date(2026, 4, 10))
class PaymentTest(LedgerTestCase):
    def test_a_payment_settles_the_oldest_open_charges_first(self):
        for month in (JAN, FEB, MAR):
            self.bill(month)
        payment = self.pay("50.00")
        settled = dict(Settlement.objects.filter(payment=payment).values_list("charge__month", "amount"))
        self.assertEqual(settled, {JAN: Decimal("39.59"), FEB: Decimal("10.41")})
        self.assertEqual((payment.first_month, payment.last_month), (JAN, FEB))
        self.assertEqual(household_balance(self.household_a.pk), Decimal("68.77"))
        self.assertEqual(balance_of("cash"), Decimal("50.00"))
        self.assertIsNone(first_violation())

    def test_paying_ahead_covers_months_not_yet_billed(self):
        self.bill(JAN)
        payment = self.pay("118.77")  # January, February and March at 39.59
        self.assertEqual((payment.first_month, payment.last_month), (JAN, MAR))
        self.assertEqual(household_balance(self.household_a.pk), Decimal("-79.18"))

    def test_small_payments_that_add_up_settle_the_charge_exactly(self):
        # 0.10 + 0.20 + 39.29 is 39.589999999999996 in binary floating point, which is how SQLite adds
        # decimals: summed naively, January would stay open for a fraction of a fen.
        self.bill(JAN)
        for amount in ("0.10", "0.20", "39.29"):
            self.pay(amount)
        self.assertNotIn(self.household_a.code, [row.code for row in reports.arrears()])
        self.assertEqual(str(household_balance(self.household_a.pk)), "0.00")
        ahead = self.pay("10.00")
        self.assertFalse(ahead.settlements.exists())
        self.assertEqual(str(household_balance(self.household_a.pk)), "-10.00")
        self.assertIsNone(first_violation())

    def test_each_payment_gets_the_next_receipt_number_of_its_year(self):
        first = self.pay("10.00")
        second = self.pay("20.00", method="wechat")
        third = self.pay("30.00", day=date(2025, 12, 30))
        self.assertEqual([first.receipt.code, second.receipt.code, third.receipt.code],
                         ["2026-000001", "2026-000002", "2025-000001"])
        self.assertEqual(balance_of("bank"), Decimal("20.00"))
        self.assertTrue(ActivityRecord.objects.filter(verb="ledger.payment.recorded").count(), 3)

    def test_a_repeated_submission_returns_the_first_payment(self):
        key = uuid.uuid4().hex
        first, created = services.payment_record(household=self.household_a, amount=Decimal("39.59"),
                                                 method="cash", idempotency_key=key, by=self.treasurer)
        again, created_again = services.payment_record(household=self.household_a, amount=Decimal("39.59"),
                                                       method="cash", idempotency_key=key, by=self.treasurer)
        self.assertEqual((again, created, created_again), (first, True, False))
        self.assertEqual(Payment.objects.count(), 1)
        self.assertEqual(Receipt.objects.count(), 1)
        with self.assertRaisesMessage(ValidationError, "already used"):
            services.payment_record(household=self.household_b, amount=Decimal("39.59"), method="cash",
                                    idempotency_key=key, by=self.treasurer)

    def test_hostile_amounts_are_refused_and_write_nothing(self):
        for amount in (Decimal("-5"), Decimal("0"), Decimal("1.005"), Decimal("1E+12"), Decimal("NaN"),
                       Decimal("Infinity"), "39.59", 39.59):
            with self.subTest(amount=amount), self.assertRaises(ValidationError):
                services.payment_record(household=self.household_a, amount=amount, method="cash",
                                        idempotency_key=uuid.uuid4().hex, by=self.treasurer)
        with self.assertRaises(ValidationError):
            services.payment_record(household=self.household_a, amount=Decimal("5"), method="cheque",
                                    idempotency_key=uuid.uuid4().hex, by=self.treasurer)
        with self.assertRaisesMessage(ValidationError, "reference"):
            services.payment_record(household=self.household_a, amount=Decimal("5"), method="bank",
                                    idempotency_key=uuid.uuid4().hex, by=self.treasurer)
        self.assertFalse(Payment.objects.exists())
        self.assertEqual(ChainHead.objects.get().seq, 0)

    def test_money_is_not_recorded_on_a_day_still_to_come(self):
        # A collection dated next year would take a receipt number of that year and sit outside this
        # month's accounts and notice while the cash is already in the box.
        self.bill(JAN)
        tomorrow = date(2026, 4, 11)
        with self.assertRaisesMessage(ValidationError, "2026-04-11 is still to come"):
            self.pay("39.59", day=tomorrow)
        with self.assertRaisesMessage(ValidationError, "2026-04-11 is still to come"):
            services.income_record(kind="parking", date=tomorrow, source="临停", amount=Decimal("5.00"),
                                   method="cash", by=self.treasurer)
        expense = self.approved_expense("50.00")
        with self.assertRaisesMessage(ValidationError, "2026-04-11 is still to come"):
            services.expense_pay(expense=expense, method="cash", by=self.treasurer, date=tomorrow)
        collected = self.pay("10.00", by=self.head1, day=date(2026, 4, 10))
        with self.assertRaisesMessage(ValidationError, "2026-04-11 is still to come"):
            services.handover_confirm(payment=collected, by=self.treasurer, date=tomorrow)
        self.assertEqual(Transaction.objects.exclude(kind=Transaction.Kind.BILLING).count(), 1)
        self.assertEqual(Receipt.objects.count(), 1)

    def test_a_building_head_collects_in_their_building_and_the_treasurer_confirms_the_hand_over(self):
        self.bill(JAN)
        payment = self.pay("39.59", by=self.head1)
        self.assertTrue(payment.needs_handover)
        self.assertEqual(household_balance(self.household_a.pk), Decimal("0.00"))
        self.assertEqual(balance_of("held_by_heads"), Decimal("39.59"))
        with self.assertRaisesMessage(ValidationError, "Someone other than the collector"):
            services.handover_confirm(payment=payment, by=self.head1)
        services.handover_confirm(payment=payment, by=self.treasurer)
        self.assertEqual((balance_of("held_by_heads"), balance_of("cash")), (Decimal("0.00"), Decimal("39.59")))
        with self.assertRaisesMessage(ValidationError, "already confirmed"):
            services.handover_confirm(payment=payment, by=self.treasurer)
        self.assertIsNone(first_violation())

    def test_a_building_head_cannot_record_payments_in_another_building(self):
        with self.assertRaisesMessage(ValidationError, "may not record payments"):
            self.pay("33.54", household=self.household_b, by=self.head1)
        with self.assertRaises(ValidationError):
            self.pay("33.54", household=self.household_b, by=self.resident_b)

    def test_a_reversed_payment_keeps_its_receipt_number_marked_void_and_reopens_its_charges(self):
        self.bill(JAN)
        wrong = self.pay("39.59")
        services.payment_reverse(payment=wrong, reason="收错户", by=self.treasurer)
        wrong.refresh_from_db()
        self.assertTrue(wrong.receipt.is_void)
        self.assertEqual(household_balance(self.household_a.pk), Decimal("39.59"))
        right = self.pay("39.59")
        self.assertEqual(right.receipt.code, "2026-000002")
        self.assertEqual(household_balance(self.household_a.pk), Decimal("0.00"))
        with self.assertRaisesMessage(ValidationError, "already been reversed"):
            services.payment_reverse(payment=wrong, reason="again", by=self.treasurer)
        self.assertTrue(ActivityRecord.objects.filter(verb="ledger.payment.reversed").exists())
        self.assertIsNone(first_violation())

    def test_reversing_a_handed_over_collection_takes_the_money_out_of_cash(self):
        self.bill(JAN)
        payment = self.pay("39.59", by=self.head1)
        services.handover_confirm(payment=payment, by=self.treasurer)
        services.payment_reverse(payment=payment, reason="重复收款", by=self.treasurer)
        self.assertEqual((balance_of("held_by_heads"), balance_of("cash")), (Decimal("0.00"), Decimal("0.00")))
        self.assertIsNone(first_violation())

    def test_reversing_the_payment_lets_money_paid_ahead_settle_the_reopened_charge(self):
        self.bill(JAN)
        first = self.pay("39.59")
        ahead = self.pay("39.59")  # paid ahead: nothing open yet
        self.assertFalse(ahead.settlements.exists())
        services.payment_reverse(payment=first, reason="假币", by=self.treasurer)
        january = Charge.objects.get(household=self.household_a, month=JAN)
        self.assertEqual(list(january.settlements.values_list("payment", "amount")),
                         [(first.pk, Decimal("39.59")), (ahead.pk, Decimal("39.59"))])
        self.assertEqual(household_balance(self.household_a.pk), Decimal("0.00"))


@skipUnless(connection.vendor == "postgresql", "SQLite serialises every writer; the race needs PostgreSQL")
class ConcurrentPaymentTest(Personas, TransactionTestCase):
    """Real transactions from real threads, each with its own database connection."""

    def setUp(self):
        create_chart(Account, ChainHead)
        self.create_personas()
        FeeRate.objects.create(rate=Decimal("0.39"), effective_from=date(2025, 1, 1))

    def submit_concurrently(self, count, key_for):
        barrier = threading.Barrier(count)
        errors = []

        def submit(number):
            try:
                barrier.wait()
                services.payment_record(household=self.household_a, amount=Decimal("39.59"), method="cash",
                                        idempotency_key=key_for(number), by=self.treasurer,
                                        date=date(2026, 3, 1))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=submit, args=(n,)) for n in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])

    def test_fifty_concurrent_payments_get_gapless_unique_receipt_numbers(self):
        self.submit_concurrently(50, key_for=lambda n: f"key-{n}")
        numbers = sorted(Receipt.objects.values_list("number", flat=True))
        self.assertEqual(numbers, list(range(1, 51)))
        self.assertEqual(ChainHead.objects.get().seq, 50)
        self.assertIsNone(first_violation())

    def test_twenty_concurrent_submissions_of_one_form_make_one_payment(self):
        self.submit_concurrently(20, key_for=lambda n: "one-form")
        self.assertEqual(Payment.objects.count(), 1)
        self.assertEqual(Receipt.objects.get().code, "2026-000001")
        self.assertEqual(household_balance(self.household_a.pk), Decimal("-39.59"))
