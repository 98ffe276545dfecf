"""The running totals (ledger/totals.py) after every kind of posting, their rebuild, and check_ledger on them."""

from datetime import date
from decimal import Decimal
from io import StringIO

import time_machine
from django.core.management import call_command
from django.db import connection

from ledger import reports, services
from ledger.checks import first_violation
from ledger.models import (
    Account,
    AccountMonthTotal,
    FeeAdjustment,
    FeeMonthTotal,
    Fund,
    FundMonthTotal,
    HouseholdTotal,
    household_balance,
    household_overdue,
)
from ledger.totals import FEE_FIELDS, differences, totals_rebuild
from tests.ledger.base import FEB, JAN, MAR, LedgerTestCase


@time_machine.travel(date(2026, 3, 20))
class TotalsTest(LedgerTestCase):
    def household(self, household=None):
        """(billed, paid, settled, balance, oldest open month) of a household's running total."""
        row = HouseholdTotal.objects.get(household=household or self.household_a)
        return row.billed, row.paid, row.settled, row.balance, row.oldest_open

    def month_total(self, code, month):
        row = AccountMonthTotal.objects.filter(account__code=code, month=month).first()
        return (row.total, row.debits) if row else None

    def assert_true_to_the_books(self):
        self.assertEqual(list(differences()), [])
        self.assertIsNone(first_violation())

    def test_billing_adds_each_households_charge(self):
        self.bill(JAN)
        self.assertEqual(self.household(), (Decimal("39.59"), 0, 0, Decimal("39.59"), JAN))
        self.assertEqual(self.household(self.household_b), (Decimal("33.54"), 0, 0, Decimal("33.54"), JAN))
        self.assertEqual(self.month_total("receivable", JAN), (Decimal("101.99"), Decimal("101.99")))
        self.assertEqual(self.month_total("fee_income", JAN), (Decimal("-101.99"), Decimal("0.00")))
        self.bill(FEB)
        self.assertEqual(self.household(), (Decimal("79.18"), 0, 0, Decimal("79.18"), JAN))
        self.assert_true_to_the_books()

    def test_a_payment_settles_the_oldest_month_and_moves_the_oldest_open_one_on(self):
        self.bill(JAN)
        self.bill(FEB)
        self.pay("50.00", day=date(2026, 2, 20))
        self.assertEqual(
            self.household(), (Decimal("79.18"), Decimal("50.00"), Decimal("50.00"), Decimal("29.18"), FEB)
        )
        self.assertEqual(self.month_total("cash", FEB), (Decimal("50.00"), Decimal("50.00")))
        self.assertEqual(household_balance(self.household_a.pk), Decimal("29.18"))
        self.assert_true_to_the_books()

    def test_money_paid_ahead_waits_and_settles_the_next_bill(self):
        self.bill(JAN)
        self.pay("100.00", day=date(2026, 1, 20))
        self.assertEqual(
            self.household(), (Decimal("39.59"), Decimal("100.00"), Decimal("39.59"), Decimal("-60.41"), None)
        )
        self.bill(FEB)
        self.assertEqual(
            self.household(), (Decimal("79.18"), Decimal("100.00"), Decimal("79.18"), Decimal("-20.82"), None)
        )
        self.bill(MAR)
        # 20.82 of March's 39.59 paid ahead: March is open.
        self.assertEqual(
            self.household(), (Decimal("118.77"), Decimal("100.00"), Decimal("100.00"), Decimal("18.77"), MAR)
        )
        self.assert_true_to_the_books()

    def test_a_reversed_payment_opens_its_months_again(self):
        self.bill(JAN)
        self.bill(FEB)
        payment = self.pay("79.18", day=date(2026, 2, 20))
        self.assertEqual(self.household()[4], None)
        services.payment_reverse(payment=payment, reason="记错户", by=self.treasurer, date=date(2026, 3, 1))
        self.assertEqual(self.household(), (Decimal("79.18"), Decimal("0.00"), Decimal("0.00"), Decimal("79.18"), JAN))
        # The money left cash in March, the month of the reversal.
        self.assertEqual(self.month_total("cash", MAR), (Decimal("-79.18"), Decimal("0.00")))
        self.assert_true_to_the_books()

    def test_a_reversal_lets_other_money_paid_ahead_settle_the_months_opened_again(self):
        self.bill(JAN)
        wrong = self.pay("39.59", day=date(2026, 1, 15))
        self.pay("39.59", day=date(2026, 1, 16))  # paid ahead
        services.payment_reverse(payment=wrong, reason="重复", by=self.treasurer, date=date(2026, 1, 20))
        self.assertEqual(
            self.household(), (Decimal("39.59"), Decimal("39.59"), Decimal("39.59"), Decimal("0.00"), None)
        )
        self.assert_true_to_the_books()

    def test_a_building_heads_collection_and_its_hand_over(self):
        self.bill(JAN)
        payment = self.pay("39.59", by=self.head1, day=date(2026, 1, 15))
        services.handover_confirm(payment=payment, by=self.treasurer, date=date(2026, 1, 18))
        self.assertEqual(self.household()[3], Decimal("0.00"))
        self.assertEqual(self.month_total("held_by_heads", JAN), (Decimal("0.00"), Decimal("39.59")))
        self.assertEqual(self.month_total("cash", JAN), (Decimal("39.59"), Decimal("39.59")))
        self.assert_true_to_the_books()

    def test_income_and_expenses_by_account_and_month(self):
        services.income_record(
            kind="parking",
            date=date(2026, 1, 10),
            source="停车费",
            amount=Decimal("77.00"),
            method="cash",
            by=self.treasurer,
        )
        expense = services.expense_pay(
            expense=self.approved_expense("300.00"), method="bank", date=date(2026, 2, 25), by=self.treasurer
        )
        self.assertEqual(self.month_total("parking", JAN), (Decimal("-77.00"), Decimal("0.00")))
        self.assertEqual(self.month_total("cleaning", FEB), (Decimal("300.00"), Decimal("300.00")))
        self.assertEqual(self.month_total("bank", FEB), (Decimal("-300.00"), Decimal("0.00")))
        services.transaction_reverse(
            original=expense.transaction, reason="付错", by=self.treasurer, date=date(2026, 3, 2)
        )
        self.assertEqual(self.month_total("cleaning", MAR), (Decimal("-300.00"), Decimal("0.00")))
        self.assertEqual(reports.balances(date(2026, 3, 31))["bank"], Decimal("0.00"))
        self.assertEqual(reports.balances(date(2026, 2, 28))["bank"], Decimal("-300.00"))
        self.assertEqual(reports.balances(date(2026, 3, 1))["bank"], Decimal("-300.00"))  # within a month
        self.assertEqual(reports.balances(date(2026, 3, 2))["bank"], Decimal("0.00"))
        self.assert_true_to_the_books()

    def test_a_funds_money_raised_and_spent_by_month(self):
        fund = Fund.objects.create(name="电动车充电棚", created_by=self.chair)
        services.income_record(
            kind="funds",
            fund=fund,
            date=date(2026, 1, 5),
            source="业主捐款",
            amount=Decimal("2000.00"),
            method="bank",
            by=self.treasurer,
        )
        expense = self.approved_expense("1200.00", category="repairs", fund=fund)
        services.expense_pay(expense=expense, method="bank", date=date(2026, 2, 10), by=self.treasurer)
        rows = list(FundMonthTotal.objects.order_by("month").values_list("month", "raised", "spent"))
        self.assertEqual(rows, [(JAN, Decimal("2000.00"), Decimal("0.00")), (FEB, Decimal("0.00"), Decimal("1200.00"))])
        self.assertEqual(services.fund_balance(fund)["remaining"], Decimal("800.00"))
        by_month = {
            day: reports.fund_figures(day)[0]["remaining"]
            for day in (date(2026, 1, 31), date(2026, 2, 9), date(2026, 2, 10))
        }
        self.assertEqual(
            by_month,
            {
                date(2026, 1, 31): Decimal("2000.00"),
                date(2026, 2, 9): Decimal("2000.00"),
                date(2026, 2, 10): Decimal("800.00"),
            },
        )
        self.assert_true_to_the_books()

    def test_an_adjusted_fee_is_billed_as_adjusted(self):
        services.adjustment_create(
            household=self.household_a, percent_off=Decimal("100"), reason="困难户", start_month=FEB, by=self.chair
        )
        self.bill(JAN)
        self.bill(FEB)
        self.assertTrue(FeeAdjustment.objects.exists())
        self.assertEqual(self.household(), (Decimal("39.59"), 0, 0, Decimal("39.59"), JAN))
        self.assert_true_to_the_books()

    def test_a_month_close_keeps_the_totals_true(self):
        self.bill(JAN)
        self.pay("39.59", day=date(2026, 1, 15))
        services.month_close(month=JAN, by=self.chair)
        self.bill(FEB)
        self.assertEqual(
            self.household(), (Decimal("79.18"), Decimal("39.59"), Decimal("39.59"), Decimal("39.59"), FEB)
        )
        self.assert_true_to_the_books()

    def test_the_overdue_part_and_the_arrears_read_from_the_oldest_open_month(self):
        self.bill(JAN)
        self.bill(FEB)
        self.bill(MAR)
        self.pay("39.59", day=date(2026, 2, 1))  # January paid; on 20 March February and March are overdue
        self.assertEqual(household_overdue(self.household_a.pk, date(2026, 3, 20)), Decimal("79.18"))
        self.assertEqual(household_overdue(self.household_a.pk, date(2026, 3, 10)), Decimal("39.59"))
        rows = {row.code: (row.owed, row.open_months, row.oldest) for row in reports.arrears()}
        self.assertEqual(rows[self.household_a.code], (Decimal("79.18"), 2, FEB))
        # On 20 January, before the payment, January was overdue: a day in the past reads what was open then.
        past = {row.code: (row.owed, row.oldest) for row in reports.arrears(until=date(2026, 1, 20))}
        self.assertEqual(past[self.household_a.code], (Decimal("39.59"), JAN))
        self.assertEqual(household_overdue(self.household_a.pk, date(2026, 1, 20)), Decimal("39.59"))

    def fee_month(self, month):
        """(billed, settled, households billed, households fully paid) of the month's fee total."""
        row = FeeMonthTotal.objects.get(month=month)
        return row.billed, row.settled, row.households_billed, row.households_paid

    def test_a_months_fees_count_what_was_billed_settled_and_paid_in_full(self):
        self.bill(JAN)
        billed = HouseholdTotal.objects.filter(billed__gt=0).count()
        january = sum(HouseholdTotal.objects.values_list("billed", flat=True), Decimal("0.00"))
        self.assertEqual(self.fee_month(JAN), (january, Decimal("0.00"), billed, 0))
        self.pay("20.00", day=date(2026, 1, 15))  # part of household A's January
        self.assertEqual(self.fee_month(JAN), (january, Decimal("20.00"), billed, 0))
        self.pay("59.18", day=date(2026, 1, 16))  # the rest of January and all of February, ahead
        self.assertEqual(self.fee_month(JAN), (january, Decimal("39.59"), billed, 1))
        self.bill(FEB)
        self.assertEqual(self.fee_month(FEB)[1:], (Decimal("39.59"), billed, 1))
        self.assert_true_to_the_books()
        # The collection figures read these rows, as summing the charges gives them.
        self.assertEqual(reports.collection(JAN), reports.collection(JAN, until=date(2026, 12, 31)))
        self.assertEqual(reports.collection_year_to_date(FEB),
                         reports.collection_year_to_date(FEB, until=date(2026, 12, 31)))

    def test_a_reversed_payment_takes_its_months_out_of_the_fee_totals(self):
        self.bill(JAN)
        self.bill(FEB)
        payment = self.pay("79.18", day=date(2026, 2, 20))
        self.assertEqual(self.fee_month(JAN)[3], 1)
        self.assertEqual(self.fee_month(FEB)[3], 1)
        services.payment_reverse(payment=payment, reason="记错户", by=self.treasurer, date=date(2026, 3, 1))
        self.assertEqual(self.fee_month(JAN)[1:], (Decimal("0.00"), self.fee_month(JAN)[2], 0))
        self.assertEqual(self.fee_month(FEB)[3], 0)
        # The money is a fee line of February in, and of March out.
        february, march = FeeMonthTotal.objects.get(month=FEB), FeeMonthTotal.objects.get(month=MAR)
        self.assertEqual((february.received, february.payments, february.undone), (Decimal("79.18"), 1, 0))
        self.assertEqual((march.received, march.payments, march.undone), (Decimal("-79.18"), 0, 1))
        self.assert_true_to_the_books()

    def test_the_arrears_from_the_totals_are_the_arrears_from_the_charges(self):
        self.bill(JAN)
        self.bill(FEB)
        self.bill(MAR)
        self.pay("50.00", day=date(2026, 2, 1))  # January paid and part of February
        self.pay("33.54", household=self.household_b, day=date(2026, 2, 1))
        wrong = self.pay("100.00", household=self.household_b, day=date(2026, 2, 2))
        services.payment_reverse(payment=wrong, reason="记错户", by=self.treasurer, date=date(2026, 3, 2))
        for today in (date(2026, 3, 10), date(2026, 3, 20)):  # before March's due day, and after it
            with self.subTest(today=today), time_machine.travel(today):
                rows = reports.arrears_rows(reports.arrears_today(today=today))
                self.assertEqual(rows, reports.arrears(until=today))
                self.assertTrue(rows)

    def test_the_rebuild_writes_what_the_postings_kept(self):
        fund = Fund.objects.create(name="电动车充电棚", created_by=self.chair)
        self.bill(JAN)
        self.pay("100.00", day=date(2026, 1, 20))
        services.income_record(
            kind="funds",
            fund=fund,
            date=date(2026, 1, 5),
            source="业主捐款",
            amount=Decimal("2000.00"),
            method="bank",
            by=self.treasurer,
        )
        self.bill(FEB)

        def stored():
            return (
                list(HouseholdTotal.objects.order_by("pk").values_list()),
                list(
                    AccountMonthTotal.objects.order_by("account_id", "month").values_list(
                        "account_id", "month", "total", "debits"
                    )
                ),
                list(
                    FundMonthTotal.objects.order_by("fund_id", "month").values_list(
                        "fund_id", "month", "raised", "spent"
                    )
                ),
                list(FeeMonthTotal.objects.order_by("month").values_list("month", *FEE_FIELDS)),
            )

        kept = stored()
        self.assertTrue(kept[3])
        FeeMonthTotal.objects.all().delete()
        HouseholdTotal.objects.all().delete()
        AccountMonthTotal.objects.all().delete()
        totals_rebuild()
        self.assertEqual(stored(), kept)

    def test_check_ledger_names_a_tampered_household_total(self):
        self.bill(JAN)
        self.pay("39.59", day=date(2026, 1, 15))
        self.assertIsNone(first_violation())
        # Someone with the database password lowers a debt where the dashboard reads it.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ledger_householdtotal SET balance = 0 WHERE household_id = %s", [self.household_b.pk]
            )
        self.assertEqual(
            first_violation(), f"totals of household {self.household_b.pk}: balance is 0.00, the books give 33.54"
        )

    def test_check_ledger_names_a_tampered_month_of_an_account(self):
        services.income_record(
            kind="parking",
            date=date(2026, 1, 10),
            source="停车费",
            amount=Decimal("77.00"),
            method="cash",
            by=self.treasurer,
        )
        cash = Account.objects.get(code="cash")
        AccountMonthTotal.objects.filter(account=cash, month=JAN).update(total=Decimal("770.00"))
        self.assertEqual(
            first_violation(), f"totals of account {cash.pk} for 2026-01: total is 770.00, the books give 77.00"
        )

    def test_check_ledger_names_a_tampered_fee_month(self):
        self.bill(JAN)
        self.pay("39.59", day=date(2026, 1, 15))
        self.assertIsNone(first_violation())
        # A collection rate made to look better where the dashboard and the arrears page read it.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_feemonthtotal SET settled = 100, households_paid = 3 WHERE month = %s",
                           [JAN])
        self.assertEqual(first_violation(), "fee totals of 2026-01: settled is 100.00, the books give 39.59")
        self.assertIn("fee totals of 2026-01: households_paid is 3, the books give 1", list(differences()))

    def test_check_ledger_names_a_total_deleted_or_made_up(self):
        self.bill(JAN)
        HouseholdTotal.objects.filter(household=self.household_a).delete()
        self.assertIn(
            f"totals of household {self.household_a.pk}: billed is 0.00, the books give 39.59", first_violation()
        )
        totals_rebuild()
        FundMonthTotal.objects.create(
            fund=Fund.objects.create(name="假", created_by=self.chair), month=JAN, raised=Decimal("5.00")
        )
        self.assertIn("raised is 5.00, the books give 0.00", first_violation())

    def test_rebuild_totals_names_what_differed_and_writes_it_again(self):
        self.bill(JAN)
        self.pay("39.59", day=date(2026, 1, 15))
        HouseholdTotal.objects.filter(household=self.household_b).update(balance=Decimal("0.00"))
        out = StringIO()
        call_command("rebuild_totals", stdout=out)
        self.assertIn(f"totals of household {self.household_b.pk}: balance is 0.00, the books give 33.54",
                      out.getvalue())
        self.assertIn("1 differed, now none does", out.getvalue())
        self.assert_true_to_the_books()
        # Run again on true totals, it changes nothing and says so.
        out = StringIO()
        call_command("rebuild_totals", stdout=out)
        self.assertIn("0 differed", out.getvalue())
        self.assertEqual(self.household(self.household_b)[3], Decimal("33.54"))
