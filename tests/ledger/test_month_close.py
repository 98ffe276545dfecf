"""The month-close page: what is still open, a confirmation naming the month and its figures, then the notice."""

from datetime import date
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from ledger import closing, services
from ledger.closing import OpenItem
from ledger.models import ClosedMonth, MonthlyNotice
from tests.ledger.base import JAN, LedgerTestCase


def main(response):
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


@time_machine.travel(date(2026, 2, 10))
class OpenItemsTest(LedgerTestCase):
    def test_a_month_with_everything_settled_has_nothing_open(self):
        self.bill(JAN)
        self.assertEqual(closing.open_items(JAN), [])

    def test_it_names_expenses_waiting_for_approval_and_approved_ones_not_paid(self):
        self.bill(JAN)
        services.expense_record(date=date(2026, 1, 20), category="cleaning", payee="保洁公司",
                                amount=Decimal("600.00"), description="一月保洁", by=self.treasurer)
        self.approved_expense("120.50")
        # Entered in February: not January's business.
        services.expense_record(date=date(2026, 2, 2), category="cleaning", payee="保洁公司",
                                amount=Decimal("50.00"), description="二月", by=self.treasurer)
        items = {item.code: item for item in closing.open_items(JAN)}
        self.assertEqual(set(items), {"expenses_unapproved", "expenses_unpaid"})
        self.assertEqual((items["expenses_unapproved"].count, items["expenses_unapproved"].amount),
                         (1, Decimal("600.00")))
        self.assertEqual((items["expenses_unpaid"].count, items["expenses_unpaid"].amount), (1, Decimal("120.50")))
        self.assertEqual(items["expenses_unapproved"].label, "1 expense is waiting for approval")

    def test_an_approval_by_the_entrant_does_not_count(self):
        """The entrant cannot approve; if such a row existed it would not make the expense approved."""
        self.bill(JAN)
        expense = services.expense_record(date=date(2026, 1, 20), category="cleaning", payee="保洁",
                                          amount=Decimal("100.00"), description="x", by=self.treasurer)
        expense.approvals.create(approver=self.treasurer)
        self.assertEqual([item.code for item in closing.open_items(JAN)], ["expenses_unapproved"])

    def test_it_names_cash_building_heads_still_hold(self):
        self.bill(JAN)
        self.pay("39.59", by=self.head1, day=date(2026, 1, 10))
        self.pay("28.86", household=self.household_a2, by=self.head1, day=date(2026, 1, 11))
        handed = self.pay("5.00", household=self.household_a2, by=self.head1, day=date(2026, 1, 12))
        services.handover_confirm(payment=handed, by=self.treasurer, date=date(2026, 1, 13))
        [item] = closing.open_items(JAN)
        self.assertEqual((item.code, item.count, item.amount), ("cash_with_heads", 2, Decimal("68.45")))
        self.assertEqual(item.url, reverse("ledger:handovers"))

    def test_it_names_households_not_billed(self):
        self.assertEqual([(item.code, item.count) for item in closing.open_items(JAN)], [("not_billed", 3)])

    def test_a_blocking_item_refuses_the_close_and_writes_nothing(self):
        self.bill(JAN)

        def bank_not_reconciled(month):
            yield OpenItem("bank", "the bank statement differs by 12.00", 1, Decimal("12.00"), blocks=True)

        closing.OPEN_ITEM_CHECKS.append(bank_not_reconciled)
        self.addCleanup(closing.OPEN_ITEM_CHECKS.remove, bank_not_reconciled)
        with self.assertRaisesMessage(ValidationError, "2026-01 cannot be closed yet: the bank statement differs"):
            services.month_close(month=JAN, by=self.chair)
        self.assertFalse(ClosedMonth.objects.exists())


@time_machine.travel(date(2026, 2, 10))
class MonthClosePageTest(LedgerTestCase):
    def setUp(self):
        super().setUp()
        self.bill(JAN)
        self.pay("39.59", day=date(2026, 1, 15))
        self.pay("28.86", household=self.household_a2, by=self.head1, day=date(2026, 1, 16))
        services.expense_pay(expense=self.approved_expense("20.00"), method="cash", date=date(2026, 1, 21),
                             by=self.treasurer)
        self.login(self.treasurer)

    def test_the_months_page_leads_to_the_next_month_to_close(self):
        page = main(self.client.get(reverse("ledger:months")))
        self.assertIn("检查并结账 2026-01", page)
        self.assertIn(reverse("ledger:month", kwargs={"month": "2026-01"}), page)
        self.assertNotIn("哈希", page)

    def test_the_page_shows_what_is_open_and_the_figures_the_close_fixes(self):
        page = main(self.client.get(reverse("ledger:month", kwargs={"month": "2026-01"})))
        self.assertIn("1 笔楼栋长代收的钱还没有交接", page)
        self.assertIn("28.86", page)
        # Income 39.59 + 28.86 received; 20.00 paid out; cash 19.59, bank 0.00, with heads 28.86.
        self.assertIn("结账 2026-01：收入 68.45 元，支出 20.00 元，月末资金合计 48.45 元", page)
        self.assertIn("现金", page)
        self.assertIn("19.59", page)
        self.assertIn("永久结账 2026-01", page)

    def test_a_close_without_the_tick_is_refused_and_closes_nothing(self):
        response = self.client.post(reverse("ledger:month-close"), {"month": "2026-01"})
        self.assertRedirects(response, reverse("ledger:month", kwargs={"month": "2026-01"}),
                             fetch_redirect_response=False)
        self.assertFalse(ClosedMonth.objects.exists())
        page = main(self.client.get(response["Location"]))
        self.assertIn("请勾选确认您已核对数字", page)

    def test_the_confirmed_close_posts_the_notice_and_opens_it(self):
        response = self.client.post(reverse("ledger:month-close"), {"month": "2026-01", "confirm": "on"})
        self.assertRedirects(response, reverse("ledger:notice", kwargs={"month": "2026-01"}),
                             fetch_redirect_response=False)
        self.assertTrue(MonthlyNotice.objects.filter(month=JAN).exists())
        page = main(self.client.get(response["Location"]))
        self.assertIn("2026-01 已结账，收支公示已发布", page)
        months = main(self.client.get(reverse("ledger:months")))
        self.assertIn(reverse("ledger:notice", kwargs={"month": "2026-01"}), months)
        self.assertIn("2026-02", months)

    def test_a_closed_month_explains_its_chain_head_in_plain_words(self):
        closed = services.month_close(month=JAN, by=self.chair)
        page = main(self.client.get(reverse("ledger:month", kwargs={"month": "2026-01"})))
        self.assertIn("2026-01 已结账", page)
        self.assertIn(f"第 {closed.head_seq} 笔", page)
        self.assertIn(closed.head_hash, page)
        self.assertIn("打开收支公示", page)
        self.assertNotIn("永久结账", page)

    def test_a_month_not_over_cannot_be_confirmed(self):
        services.month_close(month=JAN, by=self.chair)
        page = main(self.client.get(reverse("ledger:month", kwargs={"month": "2026-02"})))
        self.assertIn("2026-02 还没有结束", page)
        self.assertNotIn('name="confirm"', page)

    def test_a_later_month_waits_for_the_earlier_one(self):
        with time_machine.travel(date(2026, 3, 10)):
            self.login(self.treasurer)
            page = main(self.client.get(reverse("ledger:month", kwargs={"month": "2026-02"})))
        self.assertIn("结账须按月份顺序：请先结账 2026-01", page)
        self.assertNotIn('name="confirm"', page)

    def test_a_month_in_the_future_or_malformed_is_not_found(self):
        for month in ("2026-03", "2026-13", "x"):
            with self.subTest(month=month):
                self.assertEqual(self.client.get(reverse("ledger:month", kwargs={"month": month})).status_code, 404)

    def test_closing_twice_says_so(self):
        services.month_close(month=JAN, by=self.chair)
        response = self.client.post(reverse("ledger:month-close"), {"month": "2026-01", "confirm": "on"}, follow=True)
        self.assertIn("2026-01 已经结账", main(response))
        self.assertEqual(ClosedMonth.objects.count(), 1)
