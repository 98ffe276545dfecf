"""check_ledger outside a transaction on PostgreSQL: the hash chain in one connection and the other checks in a
second one, on one exported snapshot (ledger.checks.first_violation)."""

import threading
import uuid
from datetime import date
from decimal import Decimal
from unittest import mock, skipUnless

import time_machine
from django.db import connection
from django.test import TransactionTestCase

from ledger import checks, services
from ledger.chart import create_chart
from ledger.models import Account, ChainHead, FeeRate
from tests.base import Personas
from tests.ledger.base import JAN


@skipUnless(connection.vendor == "postgresql", "on SQLite the checks run one after another")
@time_machine.travel(date(2026, 2, 20))
class ChecksOnTwoConnectionsTest(Personas, TransactionTestCase):
    def setUp(self):
        create_chart(Account, ChainHead)
        self.create_personas()
        FeeRate.objects.create(rate=Decimal("0.39"), effective_from=date(2025, 1, 1))
        services.month_bill(month=JAN, by=self.treasurer)
        services.payment_record(household=self.household_a, amount=Decimal("39.59"), method="cash",
                                idempotency_key=uuid.uuid4().hex, by=self.treasurer, date=date(2026, 1, 15))

    def first_violation(self):
        """first_violation(), and the names of the threads the checks after the chain ran in."""
        threads, after_the_chain = [], checks._after_the_chain

        def recorded():
            threads.append(threading.current_thread().name)
            yield from after_the_chain()

        with mock.patch.object(checks, "_after_the_chain", recorded):
            return checks.first_violation(), threads

    def test_sound_books_pass_with_the_checks_in_a_second_thread(self):
        self.assertFalse(connection.in_atomic_block)
        self.assertEqual(self.first_violation(), (None, ["check_ledger"]))

    def test_the_second_connection_names_what_it_finds(self):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_householdtotal SET balance = 0 WHERE household_id = %s",
                           [self.household_b.pk])
        self.assertEqual(self.first_violation(), (
            f"totals of household {self.household_b.pk}: balance is 0.00, the books give 33.54", ["check_ledger"]))

    def test_an_error_in_the_second_connection_reaches_the_caller(self):
        def broken():
            raise RuntimeError("the second connection failed")
            yield  # a generator, as the checks are

        with mock.patch.object(checks, "_after_the_chain", broken), self.assertRaisesMessage(
                RuntimeError, "the second connection failed"):
            checks.first_violation()
