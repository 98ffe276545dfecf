"""An expense's page and lists say how many approvals it needs, how many are missing, and where it stands."""

from datetime import date
from decimal import Decimal

import time_machine
from django.urls import reverse

from ledger import services
from tests.ledger.base import LedgerTestCase


def main(response):
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


@time_machine.travel(date(2026, 2, 10))
class ExpenseWordingTest(LedgerTestCase):
    def enter(self, amount):
        return services.expense_record(date=date(2026, 2, 2), category="cleaning", payee="保洁公司",
                                       amount=Decimal(amount), description="二月保洁", by=self.treasurer)

    def page(self, expense):
        self.login(self.treasurer)
        return main(self.client.get(reverse("ledger:expense", args=[expense.pk])))

    def test_an_expense_without_approvals_says_how_many_are_needed_and_missing(self):
        page = self.page(self.enter("600.00"))
        self.assertIn("待审批", page)
        self.assertIn("需要录入人以外的 2 位业委会成员审批，还差 2 人。", page)

    def test_an_expense_with_one_of_two_approvals_says_one_is_missing(self):
        expense = self.enter("600.00")
        services.expense_approve(expense=expense, by=self.chair)
        page = self.page(expense)
        self.assertIn("还差 1 人", page)
        self.assertIn("待审批", page)

    def test_an_approved_expense_no_longer_says_waiting_for_approval(self):
        expense = self.enter("100.00")
        services.expense_approve(expense=expense, by=self.chair)
        page = self.page(expense)
        self.assertIn("已审批，待付款", page)
        self.assertIn("需要 1 位业委会成员审批：已齐。", page)
        self.assertNotIn("待审批<", page)
        self.assertNotIn("还差", page)

    def test_a_paid_expense_says_paid(self):
        expense = self.enter("100.00")
        services.expense_approve(expense=expense, by=self.chair)
        services.expense_pay(expense=expense, method="cash", by=self.treasurer)
        page = self.page(expense)
        self.assertIn("已付款", page)
        self.assertNotIn("待审批", page)
        self.assertNotIn("还差", page)

    def test_the_list_says_how_many_approvals_of_how_many_are_missing(self):
        self.enter("600.00")
        approved = self.enter("100.00")
        services.expense_approve(expense=approved, by=self.chair)
        self.login(self.member)
        page = main(self.client.get(reverse("ledger:expenses")))
        self.assertIn("需 2 人审批，还差 2 人", page)
        self.assertIn("已审批，待付款", page)
        # The filter offers "not paid", which covers the approved ones too.
        self.assertIn('<option value="pending">未付款</option>', page)
