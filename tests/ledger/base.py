"""The test estate with books: a fee rate of 0.39 from January 2026, and helpers to post."""

import uuid
from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import translation

from estate.db import create_statements, drop_statements
from ledger import services
from ledger.models import FeeRate
from tests.base import BaseTestCase

JAN = date(2026, 1, 1)
FEB = date(2026, 2, 1)
MAR = date(2026, 3, 1)


class LedgerTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        FeeRate.objects.create(rate=Decimal("0.39"), effective_from=date(2025, 1, 1))

    def setUp(self):
        super().setUp()
        # Services speak the active language; tests of services read their English messages.
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def bill(self, month=JAN):
        return services.month_bill(month=month, by=self.treasurer)

    def pay(self, amount, household=None, method="cash", by=None, day=None, key=None):
        payment, _ = services.payment_record(
            household=household or self.household_a, amount=Decimal(amount), method=method,
            reference="TX123" if method == "bank" else "", idempotency_key=key or uuid.uuid4().hex,
            by=by or self.treasurer, date=day or date(2026, 1, 15),
        )
        return payment

    def approved_expense(self, amount, **kwargs):
        expense = services.expense_record(
            date=date(2026, 1, 20), category=kwargs.pop("category", "cleaning"), payee="保洁公司",
            amount=Decimal(amount), description="一月保洁", by=self.treasurer, **kwargs,
        )
        for member in (self.chair, self.member)[: services.approval_required_count(expense.amount)]:
            services.expense_approve(expense=expense, by=member)
        return expense


class without_append_only:
    """Set a table's append-only trigger aside inside the test's transaction, to tamper as an attacker would."""

    def __init__(self, table):
        self.table = table

    def __enter__(self):
        with connection.cursor() as cursor:
            for statement in drop_statements(connection.vendor, self.table):
                cursor.execute(statement)

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            for statement in create_statements(connection.vendor, self.table):
                cursor.execute(statement)
