"""Every form that writes money or a decision acts once, however often it is sent (docs/ARCHITECTURE.md,
"Money that cannot be bent")."""

import threading
import uuid
from datetime import date
from decimal import Decimal
from unittest import skipUnless

import time_machine
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test import TransactionTestCase
from django.urls import reverse

from ledger import services
from ledger.chart import create_chart
from ledger.checks import first_violation
from ledger.models import (
    Account,
    Approval,
    ChainHead,
    ClosedMonth,
    Expense,
    FeeAdjustment,
    FeeRate,
    Fund,
    Income,
    Submission,
    Transaction,
)
from tests.base import Personas
from tests.ledger.base import JAN, LedgerTestCase


def _income(case, key):
    return services.income_record(kind="parking", date=date(2026, 1, 10), source="停车费", amount=Decimal("77.00"),
                                  method="cash", by=case.treasurer, idempotency_key=key)


def _expense(case, key):
    return services.expense_record(date=date(2026, 1, 20), category="cleaning", payee="保洁公司",
                                   amount=Decimal("300.00"), description="一月保洁", by=case.treasurer,
                                   idempotency_key=key)


# What each money form does, and how to count its effect: (name, set-up, submit, count of effects).
def _forms(case):
    def pending_expense():
        return services.expense_record(date=date(2026, 1, 20), category="cleaning", payee="保洁公司",
                                       amount=Decimal("300.00"), description="一月保洁", by=case.treasurer)

    def approved_expense():
        expense = pending_expense()
        services.expense_approve(expense=expense, by=case.chair)
        return expense

    def income_to_reverse():
        return services.income_record(kind="parking", date=date(2026, 1, 10), source="停车费",
                                      amount=Decimal("50.00"), method="cash", by=case.treasurer)

    return [
        ("income", lambda: None, lambda _s, key: _income(case, key),
         lambda: Income.objects.count()),
        ("expense", lambda: None, lambda _s, key: _expense(case, key),
         lambda: Expense.objects.count()),
        ("approval", pending_expense,
         lambda expense, key: services.expense_approve(expense=expense, by=case.chair, idempotency_key=key),
         lambda: Approval.objects.count()),
        ("payment of an expense", approved_expense,
         lambda expense, key: services.expense_pay(expense=expense, method="bank", date=date(2026, 1, 25),
                                                   by=case.treasurer, idempotency_key=key),
         lambda: Transaction.objects.filter(kind="expense").count()),
        ("fund", lambda: None,
         lambda _s, key: services.fund_create(name="充电棚", by=case.treasurer, idempotency_key=key),
         lambda: Fund.objects.count()),
        ("adjustment", lambda: None,
         lambda _s, key: services.adjustment_create(household=case.household_a, percent_off=Decimal("50"),
                                                    reason="困难户", start_month=date(2026, 6, 1),
                                                    by=case.treasurer, idempotency_key=key),
         lambda: FeeAdjustment.objects.count()),
        ("reversal", income_to_reverse,
         lambda income, key: services.transaction_reverse(original=income.transaction, reason="记错了",
                                                          by=case.treasurer, idempotency_key=key),
         lambda: Transaction.objects.filter(kind="reversal").count()),
        ("billing run", lambda: None,
         lambda _s, key: services.month_bill(month=JAN, by=case.treasurer, idempotency_key=key),
         lambda: Transaction.objects.filter(kind="billing").count()),
        ("month close", lambda: None,
         lambda _s, key: services.month_close(month=JAN, by=case.chair, idempotency_key=key),
         lambda: ClosedMonth.objects.count()),
    ]


@time_machine.travel(date(2026, 2, 3))
class SentTwiceTest(LedgerTestCase):
    def test_each_money_form_sent_twice_acts_once_and_returns_the_first_result(self):
        for name, set_up, submit, effects in _forms(self):
            with self.subTest(form=name):
                subject = set_up()
                key = uuid.uuid4().hex
                first = submit(subject, key)
                second = submit(subject, key)
                self.assertEqual(effects(), 1)
                self.assertEqual(second, first)
                self.assertEqual(Submission.objects.get(key=key).result,
                                 first.transaction if isinstance(first, services.BillingResult) else first)

    def test_a_key_used_for_one_thing_cannot_do_another(self):
        key = uuid.uuid4().hex
        _income(self, key)
        with self.assertRaisesMessage(ValidationError, "already used for something else"):
            _expense(self, key)
        with self.assertRaisesMessage(ValidationError, "already used for something else"):
            services.income_record(kind="parking", date=date(2026, 1, 10), source="停车费", amount=Decimal("77.00"),
                                   method="cash", by=self.chair, idempotency_key=key)
        self.assertEqual(Income.objects.count(), 1)
        self.assertEqual(Expense.objects.count(), 0)

    def test_the_income_form_sent_twice_records_one_income(self):
        self.login(self.treasurer)
        page = self.client.get(reverse("ledger:income-new"))
        key = page.context["form"]["idempotency_key"].value()
        self.assertContains(page, f'name="idempotency_key" value="{key}"')
        data = {"kind": "parking", "date": "2026-01-10", "source": "停车费", "amount": "77.00", "method": "cash",
                "idempotency_key": key}
        for _ in range(2):
            self.assertRedirects(self.client.post(reverse("ledger:income-new"), data), reverse("ledger:public"),
                                 fetch_redirect_response=False)
        self.assertEqual(list(Income.objects.values_list("amount", flat=True)), [Decimal("77.00")])
        # A new rendering of the form is a new form.
        self.assertNotEqual(self.client.get(reverse("ledger:income-new")).context["form"]["idempotency_key"].value(),
                            key)

    def test_the_approve_button_carries_a_key_and_approves_once(self):
        expense = _expense(self, None)
        self.login(self.chair)
        page = self.client.get(reverse("ledger:expense", kwargs={"pk": expense.pk}))
        key = page.context["approve_form"]["idempotency_key"].value()
        for _ in range(2):
            self.client.post(reverse("ledger:expense-approve", kwargs={"pk": expense.pk}), {"idempotency_key": key})
        self.assertEqual(Approval.objects.filter(expense=expense).count(), 1)
        page = self.client.get(reverse("ledger:expense", kwargs={"pk": expense.pk}))
        self.assertEqual([str(m) for m in page.context["messages"]], ["已审批。", "已审批。"])

    def test_a_billing_run_sent_again_tells_what_it_did(self):
        key = uuid.uuid4().hex
        first = services.month_bill(month=JAN, by=self.treasurer, idempotency_key=key)
        again = services.month_bill(month=JAN, by=self.treasurer, idempotency_key=key)
        self.assertEqual((again.month, again.households, again.total), (JAN, 3, Decimal("101.99")))
        self.assertEqual(again, first)


@skipUnless(connection.vendor == "postgresql", "SQLite serialises every writer; the race needs PostgreSQL")
@time_machine.travel(date(2026, 2, 3))
class TwentyAtOnceTest(Personas, TransactionTestCase):
    """Twenty real transactions from twenty threads, each with its own connection, sending one form."""

    def setUp(self):
        create_chart(Account, ChainHead)
        self.create_personas()
        FeeRate.objects.create(rate=Decimal("0.39"), effective_from=date(2025, 1, 1))

    def _at_once(self, submit, subject, count=20):
        barrier = threading.Barrier(count)
        key = uuid.uuid4().hex
        results, errors = [], []

        def run():
            try:
                barrier.wait()
                results.append(submit(subject, key))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        return results

    def test_twenty_concurrent_submissions_of_each_money_form_have_one_effect(self):
        for name, set_up, submit, effects in _forms(self):
            with self.subTest(form=name):
                results = self._at_once(submit, set_up())
                self.assertEqual(effects(), 1)
                self.assertEqual(len({getattr(r, "pk", r) for r in results}), 1)
        self.assertIsNone(first_violation())
