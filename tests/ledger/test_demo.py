from datetime import date
from decimal import Decimal
from io import StringIO

import time_machine
from django.db.models import Sum
from django.test import TestCase

from estate import demo as estate_demo
from ledger import demo, reports
from ledger.checks import first_violation
from ledger.models import Charge, ClosedMonth, Expense, Fund
from ledger.services import fund_balance


@time_machine.travel(date(2026, 3, 16))
class DemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        from django.conf import settings

        cls.demo_media_root = settings.MEDIA_ROOT
        estate_demo.seed(out=StringIO())
        demo.seed(out=StringIO())
        demo.finish(out=StringIO())

    def test_the_demo_estate_bills_1755_a_month(self):
        totals = set(Charge.objects.values("month").annotate(total=Sum("amount")).values_list("total", flat=True))
        self.assertEqual(totals, {Decimal("1755.00")})
        self.assertEqual(Charge.objects.values("month").distinct().count(), 7)

    def test_every_ledger_invariant_holds(self):
        # The notices' PDFs were stored when the demo was loaded, in that moment's media folder.
        with self.settings(MEDIA_ROOT=self.demo_media_root):
            self.assertIsNone(first_violation())

    def test_it_tells_a_believable_story(self):
        january = reports.month_report(2026, 1)
        self.assertGreaterEqual(january.collection_rate, Decimal("85"))
        self.assertLess(january.collection_rate, Decimal("95"))
        self.assertEqual(len(january.arrears), 5 + 2)  # five who never pay, two who pay late
        self.assertEqual(ClosedMonth.objects.order_by("month").last().month, date(2026, 1, 1))
        fund = fund_balance(Fund.objects.get())
        self.assertEqual((fund["raised"], fund["spent"]), (Decimal("20000.00"), Decimal("13060.00")))
        self.assertTrue(Expense.objects.filter(description__contains="19 盏", status="paid").exists())
        self.assertEqual(Expense.objects.filter(status="pending").count(), 2)
        for month in range(9, 13):
            report = reports.month_report(2025, month)
            for account in ("cash", "bank"):
                self.assertGreaterEqual(report.closing[account], 0, f"{account} in 2025-{month}")
