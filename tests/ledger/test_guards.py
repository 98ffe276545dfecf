"""What the database and the services refuse, whoever asks: emptying append-only tables, billing years ahead,
posting into a closed month whose row was deleted."""

from datetime import date
from decimal import Decimal
from unittest import skipUnless

import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from estate.db import DECLARED, postgresql_truncate_guarded_tables
from ledger import services
from ledger.checks import first_violation
from ledger.models import ChainHead, Charge, ClosedMonth, Transaction
from tests.ledger.base import FEB, JAN, LedgerTestCase, without_append_only

APPEND_ONLY = {"ledger_transaction", "ledger_entry", "ledger_receipt", "ledger_payment", "ledger_settlement",
               "ledger_closedmonth", "ledger_monthlynotice", "ledger_submission", "accounts_activityrecord",
               "keys_keyhandoverevent"}


@skipUnless(connection.vendor == "postgresql", "SQLite has no TRUNCATE; its DELETE fires the row triggers")
class TruncateTest(LedgerTestCase):
    def test_every_append_only_table_refuses_truncate(self):
        self.assertLessEqual(APPEND_ONLY, set(DECLARED))
        self.assertLessEqual(set(DECLARED), postgresql_truncate_guarded_tables(connection))
        services.income_record(kind="parking", date=date(2026, 1, 10), source="停车费", amount=Decimal("77.00"),
                               method="cash", by=self.treasurer)
        for table in sorted(DECLARED):
            with self.subTest(table=table):
                with self.assertRaisesMessage(DatabaseError, f"{table} is append-only: it cannot be emptied"):
                    with transaction.atomic(), connection.cursor() as cursor:
                        cursor.execute(f"TRUNCATE {table} CASCADE")
        self.assertEqual(Transaction.objects.count(), 1)


@time_machine.travel(date(2026, 4, 10))
class BillingAheadTest(LedgerTestCase):
    def test_billing_is_refused_beyond_next_month(self):
        self.assertEqual(services.month_bill(month=date(2026, 5, 1), by=self.treasurer).households, 3)
        with self.assertRaisesMessage(ValidationError, "2026-06 is too far ahead: bill this month or next month only."):
            services.month_bill(month=date(2026, 6, 1), by=self.treasurer)
        with self.assertRaisesMessage(CommandError, "2099-12 is too far ahead"):
            call_command("bill_month", "2099-12")
        self.assertFalse(Charge.objects.filter(month__gt=date(2026, 5, 1)).exists())
        # The rate of the months not billed can still be set.
        services.fee_rate_set(rate=Decimal("0.45"), effective_from=date(2026, 6, 1), by=self.chair)

    def test_the_billing_page_says_so_in_chinese(self):
        self.login(self.treasurer)
        response = self.client.post("/ledger/billing/run/", {"month": "2099-12", "idempotency_key": "k1"},
                                    follow=True)
        self.assertContains(response, "2099-12 太远了：只能为本月或下个月计费。")


@time_machine.travel(date(2026, 4, 10))
class ClosedMonthRowDeletedTest(LedgerTestCase):
    def close_january_and_delete_its_row(self):
        services.income_record(kind="parking", date=date(2026, 1, 10), source="停车费", amount=Decimal("77.00"),
                               method="cash", by=self.treasurer)
        services.month_close(month=JAN, by=self.chair)
        with without_append_only("ledger_closedmonth"), connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_closedmonth")

    def test_a_payment_dated_in_the_month_is_still_refused(self):
        self.close_january_and_delete_its_row()
        with self.assertRaisesMessage(ValidationError, "2026-01 is closed"):
            self.pay("39.59", day=date(2026, 1, 20))
        with self.assertRaisesMessage(ValidationError, "closed up to 2026-01"):
            self.pay("39.59", day=date(2025, 12, 20))
        with self.assertRaisesMessage(ValidationError, "already closed"):
            services.month_close(month=JAN, by=self.chair)
        self.assertEqual(Transaction.objects.count(), 1)

    def test_check_ledger_names_the_missing_closed_month(self):
        self.close_january_and_delete_its_row()
        self.assertEqual(first_violation(), "closed months: the chain head says the books are closed through "
                                            "2026-01, the closed months end at none")

    def test_check_ledger_names_a_gap_among_closed_months(self):
        services.income_record(kind="parking", date=date(2026, 1, 10), source="停车费", amount=Decimal("77.00"),
                               method="cash", by=self.treasurer)
        for month in (JAN, FEB, date(2026, 3, 1)):
            services.month_close(month=month, by=self.chair)
        with without_append_only("ledger_closedmonth"), connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_closedmonth WHERE month = %s", [FEB])
        self.assertEqual(first_violation(), "closed months: 2026-02 is missing between 2026-01 and 2026-03")
        self.assertEqual(ChainHead.objects.get().closed_through, date(2026, 3, 1))
        self.assertEqual(ClosedMonth.objects.count(), 2)
