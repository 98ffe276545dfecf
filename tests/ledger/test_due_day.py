"""A month's fee falls due on settings.LEDGER_BILL_DUE_DAY; only after that day does it count as arrears."""

from datetime import date
from decimal import Decimal

import time_machine
from django.test import override_settings
from django.urls import reverse

from ledger import reports
from ledger.models import household_overdue, last_overdue_month
from ledger.notice import notice_data
from tests.ledger.base import LedgerTestCase

NOV = date(2026, 11, 1)
DEC = date(2026, 12, 1)


def main(response):
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


class LastOverdueMonthTest(LedgerTestCase):
    def test_the_month_counts_from_the_day_after_its_due_day(self):
        self.assertEqual(last_overdue_month(date(2026, 12, 3)), NOV)
        self.assertEqual(last_overdue_month(date(2026, 12, 15)), NOV)
        self.assertEqual(last_overdue_month(date(2026, 12, 16)), DEC)
        self.assertEqual(last_overdue_month(date(2026, 1, 1)), date(2025, 12, 1))

    @override_settings(LEDGER_BILL_DUE_DAY=1)
    def test_the_due_day_is_a_setting(self):
        self.assertEqual(last_overdue_month(date(2026, 12, 1)), NOV)
        self.assertEqual(last_overdue_month(date(2026, 12, 2)), DEC)


class ArrearsFromTheDueDayTest(LedgerTestCase):
    """1-1-301 owes November and December; 1-1-302 and 2-1-101 only December's bill."""

    def setUp(self):
        super().setUp()
        with time_machine.travel(date(2026, 12, 1)):
            self.bill(NOV)
            self.bill(DEC)
            self.pay("28.86", household=self.household_a2, day=date(2026, 11, 20))
            self.pay("33.54", household=self.household_b, day=date(2026, 11, 20))

    def rows(self, day):
        return [(row.code, row.owed, row.open_months, row.oldest) for row in reports.arrears(until=day)]

    def test_on_the_3rd_decembers_bill_is_not_arrears(self):
        self.assertEqual(self.rows(date(2026, 12, 3)), [("1-1-301", Decimal("39.59"), 1, NOV)])

    def test_on_the_due_day_it_is_still_not(self):
        self.assertEqual(self.rows(date(2026, 12, 15)), [("1-1-301", Decimal("39.59"), 1, NOV)])

    def test_the_day_after_the_due_day_every_unpaid_december_bill_is(self):
        self.assertEqual(self.rows(date(2026, 12, 16)), [
            ("1-1-301", Decimal("79.18"), 2, NOV), ("2-1-101", Decimal("33.54"), 1, DEC),
            ("1-1-302", Decimal("28.86"), 1, DEC),
        ])

    def test_a_part_payment_leaves_the_rest_in_arrears(self):
        self.pay("10.00", day=date(2026, 12, 2))
        self.assertEqual(self.rows(date(2026, 12, 3)), [("1-1-301", Decimal("29.59"), 1, NOV)])

    def test_the_notice_of_the_month_lists_what_is_overdue_at_its_end(self):
        """On 30 November the November fee is past its due day: the notice lists it, not December's."""
        data = notice_data(NOV)
        self.assertEqual(data["arrears"], [{"code": "1-1-301", "owed": "39.59", "open_months": 1}])

    def test_the_arrears_page_follows_the_due_day(self):
        self.login(self.treasurer)
        with time_machine.travel(date(2026, 12, 3)):
            self.login(self.treasurer)
            page = main(self.client.get(reverse("ledger:arrears")))
        self.assertIn("每月物业费在当月 15 日到期", page)
        self.assertIn("1-1-301", page)
        self.assertNotIn("1-1-302", page)
        self.assertNotIn("2-1-101", page)

    def test_the_residents_dashboard_and_statement_say_what_is_due_and_what_overdue(self):
        with time_machine.travel(date(2026, 12, 3)):
            self.login(self.resident_b)
            dashboard = main(self.client.get(reverse("estate:dashboard")))
            statement = main(self.client.get(reverse("ledger:mine")))
            self.assertEqual(household_overdue(self.household_b.pk, date(2026, 12, 3)), Decimal("0.00"))
        self.assertIn("每月 15 日前缴清。", dashboard)
        self.assertNotIn("已逾期", dashboard)
        self.assertIn("2026-12-15", statement)
        self.assertIn("12-15 前缴", statement)
        with time_machine.travel(date(2026, 12, 16)):
            self.login(self.resident_b)
            dashboard = main(self.client.get(reverse("estate:dashboard")))
        self.assertIn("其中 33.54 元已逾期", dashboard)

    def test_the_reminder_slip_marks_the_overdue_months(self):
        with time_machine.travel(date(2026, 12, 3)):
            self.login(self.head1)
            page = main(self.client.get(reverse("ledger:reminder", args=[self.household_a.pk])))
        self.assertIn("11-15 <strong>逾期</strong>", page)
        self.assertIn("其中已逾期", page)
        self.assertIn("39.59", page)
        self.assertIn("79.18", page)
