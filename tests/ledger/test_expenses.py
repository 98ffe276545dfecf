from datetime import date
from decimal import Decimal

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from accounts.models import ActivityRecord
from ledger import services
from ledger.checks import first_violation
from ledger.models import Expense, Fund
from tests.ledger.base import LedgerTestCase


@time_machine.travel(date(2026, 4, 10))
class ExpenseTest(LedgerTestCase):
    def record(self, amount, by=None, **kwargs):
        return services.expense_record(date=date(2026, 4, 2), category=kwargs.pop("category", "greening"),
                                       payee="绿化队", amount=Decimal(amount), description="修剪",
                                       by=by or self.treasurer, **kwargs)

    def test_the_threshold_decides_how_many_approvals(self):
        self.assertEqual(services.approval_required_count(Decimal("499.99")), 1)
        self.assertEqual(services.approval_required_count(Decimal("500.00")), 2)
        with override_settings(LEDGER_APPROVAL_THRESHOLD=Decimal("1000.00")):
            self.assertEqual(services.approval_required_count(Decimal("500.00")), 1)

    def test_below_the_threshold_one_approval_by_someone_else_is_enough(self):
        expense = self.record("120.00")
        with self.assertRaisesMessage(ValidationError, "1 more approval"):
            services.expense_pay(expense=expense, method="cash", by=self.treasurer)
        services.expense_approve(expense=expense, by=self.chair)
        paid = services.expense_pay(expense=expense, method="cash", by=self.treasurer)
        self.assertEqual(paid.status, Expense.Status.PAID)
        self.assertEqual(paid.transaction.entries.get(amount__gt=0).account.code, "greening")
        self.assertIsNone(first_violation())

    def test_at_the_threshold_one_approval_is_not_enough(self):
        expense = self.record("500.00")
        services.expense_approve(expense=expense, by=self.chair)
        with self.assertRaisesMessage(ValidationError, "1 more approval"):
            services.expense_pay(expense=expense, method="bank", by=self.treasurer)
        services.expense_approve(expense=expense, by=self.member)
        services.expense_pay(expense=expense, method="bank", by=self.treasurer)

    def test_the_entrant_cannot_approve_and_nobody_approves_twice(self):
        expense = self.record("800.00")
        with self.assertRaisesMessage(ValidationError, "Whoever entered an expense cannot approve it"):
            services.expense_approve(expense=expense, by=self.treasurer)
        services.expense_approve(expense=expense, by=self.chair)
        with self.assertRaisesMessage(ValidationError, "already approved"):
            services.expense_approve(expense=expense, by=self.chair)
        with self.assertRaisesMessage(ValidationError, "Only committee members"):
            services.expense_approve(expense=expense, by=self.head1)
        with self.assertRaisesMessage(ValidationError, "1 more approval"):
            services.expense_pay(expense=expense, method="bank", by=self.member)
        self.assertEqual(expense.approvals.count(), 1)

    def test_hostile_input_is_refused_and_writes_nothing(self):
        for amount in ("-1", "0", "0.001", "99999999999"):
            with self.subTest(amount=amount), self.assertRaises(ValidationError):
                self.record(amount)
        with self.assertRaises(ValidationError):
            self.record("10", category="parking")
        with self.assertRaises(ValidationError):
            self.record("10", by=self.resident)
        self.assertFalse(Expense.objects.exists())

    def test_a_paid_expense_cannot_be_changed_even_in_the_database(self):
        pending = self.record("100.00")
        with connection.cursor() as cursor:  # still pending: the trigger lets the app work on it
            cursor.execute("UPDATE ledger_expense SET payee = 'x' WHERE id = %s", [pending.pk])
        expense = self.approved_expense("100.00")
        services.expense_pay(expense=expense, method="cash", by=self.treasurer)
        for statement in ("UPDATE ledger_expense SET amount = 1 WHERE id = %s",
                          "DELETE FROM ledger_expense WHERE id = %s"):
            with self.subTest(statement=statement), self.assertRaises(DatabaseError), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement, [expense.pk])

    def test_a_cancelled_expense_cannot_be_paid(self):
        expense = self.approved_expense("100.00")
        services.expense_cancel(expense=expense, reason="重复录入", by=self.treasurer)
        with self.assertRaisesMessage(ValidationError, "not waiting to be paid"):
            services.expense_pay(expense=expense, method="cash", by=self.treasurer)

    def test_a_fund_pays_its_project_and_cannot_overspend(self):
        fund = services.fund_create(name="电动车充电棚", target=Decimal("20000.00"), by=self.chair)
        services.income_record(kind="funds", fund=fund, date=date(2026, 4, 1), source="业主捐款",
                               amount=Decimal("20000.00"), method="bank", by=self.treasurer)
        expense = self.approved_expense("12000.00", category="repairs", fund=fund)
        services.expense_pay(expense=expense, method="bank", by=self.treasurer)
        self.assertEqual(services.fund_balance(fund), {"raised": Decimal("20000.00"), "spent": Decimal("12000.00"),
                                                       "remaining": Decimal("8000.00")})
        too_much = self.approved_expense("8000.01", category="repairs", fund=fund)
        with self.assertRaisesMessage(ValidationError, "not enough money left"):
            services.expense_pay(expense=too_much, method="bank", by=self.treasurer)
        self.assertIsNone(first_violation())

    def test_an_expense_links_to_where_it_came_from(self):
        origin = Fund.objects.create(name="任意对象", created_by=self.chair)  # any saved model will do
        expense = self.record("300.00", source=origin)
        self.assertEqual(expense.source, origin)
        self.assertEqual(list(services.expenses_for(origin)), [expense])
        self.assertEqual(expense.source_type, ContentType.objects.get_for_model(Fund))

    def test_every_step_is_in_the_activity_log(self):
        expense = self.approved_expense("600.00")
        services.expense_pay(expense=expense, method="cash", by=self.treasurer)
        verbs = list(ActivityRecord.objects.filter(target_id=str(expense.pk), verb__startswith="ledger.expense")
                     .order_by("pk").values_list("verb", flat=True))
        self.assertEqual(verbs, ["ledger.expense.recorded", "ledger.expense.approved", "ledger.expense.approved",
                                 "ledger.expense.paid"])
