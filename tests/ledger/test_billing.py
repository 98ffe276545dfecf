from datetime import date
from decimal import Decimal
from io import StringIO

import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import ActivityRecord
from ledger import services
from ledger.checks import first_violation
from ledger.models import Charge, FeeAdjustment, FeeRate, SpentPayment, Transaction, household_balance
from tests.ledger.base import FEB, JAN, MAR, LedgerTestCase


@time_machine.travel(date(2026, 4, 10))
class BillingTest(LedgerTestCase):
    def amounts(self, month=JAN):
        return dict(Charge.objects.filter(month=month).values_list("household__code", "amount"))

    def test_it_bills_every_household_area_times_rate_rounded_half_up(self):
        result = self.bill()
        # 101.50 × 0.39 = 39.585 → 39.59 (float arithmetic would give 39.58).
        self.assertEqual(self.amounts(), {"1-1-301": Decimal("39.59"), "1-1-302": Decimal("28.86"),
                                          "2-1-101": Decimal("33.54")})
        self.assertEqual((result.households, result.total), (3, Decimal("101.99")))
        self.assertEqual(household_balance(self.household_a.pk), Decimal("39.59"))
        self.assertTrue(ActivityRecord.objects.filter(verb="ledger.month.billed").exists())
        self.assertIsNone(first_violation())

    def test_running_it_twice_changes_nothing(self):
        self.bill()
        again = self.bill()
        self.assertEqual((again.households, again.total, again.transaction), (0, Decimal("0.00"), None))
        self.assertEqual(Charge.objects.count(), 3)
        self.assertEqual(Transaction.objects.count(), 1)

    def test_a_household_added_later_is_billed_on_the_next_run_alone(self):
        self.bill()
        late = self.household_b.__class__.objects.create(building=self.building2, entrance="1", floor=2,
                                                         room="201", area=Decimal("50.00"))
        result = self.bill()
        self.assertEqual((result.households, result.total), (1, Decimal("19.50")))
        self.assertEqual(Charge.objects.get(household=late).amount, Decimal("19.50"))

    def test_inactive_households_are_not_billed(self):
        self.household_b.is_active = False
        self.household_b.save()
        self.assertEqual(self.bill().households, 2)

    def test_an_adjustment_lowers_the_fee_for_its_period(self):
        services.adjustment_create(household=self.household_a, percent_off=Decimal("50"), reason="空置房",
                                   start_month=FEB, end_month=FEB, by=self.chair)
        services.adjustment_create(household=self.household_b, percent_off=Decimal("100"), reason="困难户",
                                   start_month=JAN, by=self.chair)
        for month in (JAN, FEB, MAR):
            self.bill(month)
        self.assertEqual(self.amounts(JAN)["1-1-301"], Decimal("39.59"))
        self.assertEqual(self.amounts(FEB)["1-1-301"], Decimal("19.79"))  # 19.7925
        self.assertEqual(self.amounts(MAR)["1-1-301"], Decimal("39.59"))
        self.assertEqual(self.amounts(MAR)["2-1-101"], Decimal("0.00"))
        self.assertEqual(household_balance(self.household_b.pk), Decimal("0.00"))
        self.assertIsNone(first_violation())

    def test_adjustments_may_not_overlap_or_reach_into_billed_months(self):
        services.adjustment_create(household=self.household_a, percent_off=Decimal("50"), reason="空置房",
                                   start_month=FEB, by=self.chair)
        with self.assertRaisesMessage(ValidationError, "already has an adjustment"):
            services.adjustment_create(household=self.household_a, percent_off=Decimal("10"), reason="x",
                                       start_month=MAR, by=self.chair)
        self.bill(JAN)
        with self.assertRaisesMessage(ValidationError, "already billed"):
            services.adjustment_create(household=self.household_b, percent_off=Decimal("10"), reason="x",
                                       start_month=JAN, by=self.chair)
        self.assertEqual(FeeAdjustment.objects.count(), 1)

    def test_a_new_rate_applies_from_its_month_and_not_to_billed_months(self):
        self.bill(JAN)
        with self.assertRaisesMessage(ValidationError, "already been billed"):
            services.fee_rate_set(rate=Decimal("0.45"), effective_from=JAN, by=self.treasurer)
        services.fee_rate_set(rate=Decimal("0.45"), effective_from=FEB, note="业主大会决议", by=self.treasurer)
        self.bill(FEB)
        self.assertEqual(self.amounts(FEB)["1-1-301"], Decimal("45.68"))  # 45.675
        self.assertEqual(FeeRate.objects.count(), 2)

    def test_it_refuses_a_month_without_a_rate_or_a_closed_month(self):
        with self.assertRaisesMessage(ValidationError, "No fee rate"):
            self.bill(date(2024, 12, 1))
        services.month_close(month=JAN, by=self.chair)
        with self.assertRaisesMessage(ValidationError, "closed"):
            self.bill(JAN)
        self.assertFalse(Charge.objects.exists())

    def test_money_paid_ahead_settles_the_new_months_charge(self):
        self.bill(JAN)
        payment = self.pay("79.18")  # January and February
        self.assertEqual((payment.first_month, payment.last_month), (JAN, FEB))
        self.assertEqual(household_balance(self.household_a.pk), Decimal("-39.59"))
        self.bill(FEB)
        february = Charge.objects.get(household=self.household_a, month=FEB)
        self.assertEqual(february.settlements.get().amount, Decimal("39.59"))
        self.assertEqual(household_balance(self.household_a.pk), Decimal("0.00"))


    def test_several_payments_ahead_settle_the_new_charge_oldest_first_and_the_rest_waits(self):
        self.bill(JAN)
        older = self.pay("50.00", day=date(2026, 1, 10))  # January, and 10.41 toward February
        newer = self.pay("20.00", day=date(2026, 1, 20))  # all of it ahead
        other = self.pay("28.86", household=self.household_b)  # exactly January
        self.bill(FEB)
        february = Charge.objects.get(household=self.household_a, month=FEB)
        self.assertEqual(list(february.settlements.order_by("pk").values_list("payment", "amount")),
                         [(older.pk, Decimal("10.41")), (newer.pk, Decimal("20.00"))])
        self.assertEqual(household_balance(self.household_a.pk), Decimal("9.18"))
        self.assertFalse(Charge.objects.get(household=self.household_b, month=FEB).settlements.exists())
        self.assertEqual(other.settlements.get().charge.month, JAN)
        # Noted as spent once all their money is set against charges; what still has money left is not.
        self.assertEqual(set(SpentPayment.objects.values_list("payment", flat=True)), {other.pk, older.pk, newer.pk})
        third = self.pay("50.00", day=date(2026, 2, 10))  # February's 9.18, then 40.82 ahead
        self.assertFalse(SpentPayment.objects.filter(payment=third).exists())
        self.bill(MAR)
        self.assertEqual(Charge.objects.get(household=self.household_a, month=MAR).settlements.get().amount,
                         Decimal("39.59"))
        self.assertFalse(SpentPayment.objects.filter(payment=third).exists())  # 1.23 left for April
        self.assertEqual(household_balance(self.household_a.pk), Decimal("-1.23"))
        self.assertIsNone(first_violation())

@time_machine.travel(date(2026, 4, 10))
class BillMonthCommandTest(LedgerTestCase):
    def test_it_bills_and_says_so_then_changes_nothing(self):
        out = StringIO()
        call_command("bill_month", "2026-01", stdout=out)
        call_command("bill_month", "2026-01", stdout=out)
        self.assertEqual(out.getvalue(), "2026-01: billed 3 households, 101.99 in all.\n"
                                         "2026-01: every household is already billed; nothing changed.\n")

    def test_it_refuses_a_malformed_month(self):
        for bad in ("2026-13", "2026-1", "January"):
            with self.subTest(bad=bad), self.assertRaises(CommandError):
                call_command("bill_month", bad, stdout=StringIO(), stderr=StringIO())
