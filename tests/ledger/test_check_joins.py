"""check_ledger's comparisons done by the database (charges against billing lines) and the chain read from the
entries in id order: each still names what it names when the rows are tampered with."""

from datetime import date
from decimal import Decimal

import time_machine
from django.db import connection, transaction

from ledger import services
from ledger.checks import first_violation
from ledger.models import Account, Charge, Entry, Transaction
from ledger.services import Line
from tests.ledger.base import JAN, LedgerTestCase, without_append_only

PARKING = [Line("cash", Decimal("100.00")), Line("parking", Decimal("-100.00"))]


def post(lines=PARKING):
    with transaction.atomic():
        return services._post(head=services._lock_chain(), date=date(2026, 1, 10), kind=Transaction.Kind.INCOME,
                              memo="test", lines=lines, by=None)


@time_machine.travel(date(2026, 4, 10))
class ChargesAgainstBillingTest(LedgerTestCase):
    def setUp(self):
        super().setUp()
        self.bill(JAN)
        self.charge = Charge.objects.get(household=self.household_a, month=JAN)
        self.seq = self.charge.transaction.seq
        self.assertIsNone(first_violation())

    def test_a_charge_changed_is_named(self):
        with without_append_only("ledger_charge"), connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_charge SET amount = 50 WHERE id = %s", [self.charge.pk])
        self.assertEqual(first_violation(), f"billing #{self.seq}: household {self.household_a.pk} was charged 50.00 "
                                            f"but {self.charge.amount} was posted")

    def test_a_charge_deleted_is_named(self):
        with without_append_only("ledger_charge"), connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_charge WHERE id = %s", [self.charge.pk])
        self.assertEqual(first_violation(), f"billing #{self.seq}: household {self.household_a.pk} was charged 0.00 "
                                            f"but {self.charge.amount} was posted")

    def test_a_charge_moved_to_another_household_is_named_at_the_first_of_the_two(self):
        other = Charge.objects.get(household=self.household_b, month=JAN)
        with without_append_only("ledger_charge"), connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_charge WHERE id = %s", [other.pk])
            cursor.execute("UPDATE ledger_charge SET household_id = %s WHERE id = %s",
                           [self.household_b.pk, self.charge.pk])
        first = min(self.household_a.pk, self.household_b.pk)
        said, was = ((Decimal("0.00"), self.charge.amount) if first == self.household_a.pk
                     else (self.charge.amount, other.amount))
        self.assertEqual(first_violation(), f"billing #{self.seq}: household {first} was charged {said} "
                                            f"but {was} was posted")


@time_machine.travel(date(2026, 4, 10))
class ChainInIdOrderTest(LedgerTestCase):
    def test_a_transaction_whose_id_is_higher_than_a_later_ones_still_verifies(self):
        # A restore or another database may give ids out of posting order: each transaction still meets its lines.
        first, second, third = post(), post(), post()
        moved = third.pk + 100
        with without_append_only("ledger_transaction"), without_append_only("ledger_entry"):
            with connection.cursor() as cursor:
                cursor.execute("UPDATE ledger_transaction SET id = %s WHERE id = %s", [moved, first.pk])
                cursor.execute("UPDATE ledger_entry SET transaction_id = %s WHERE transaction_id = %s",
                               [moved, first.pk])
        self.assertEqual(sorted(Transaction.objects.values_list("pk", flat=True)), [second.pk, third.pk, moved])
        self.assertIsNone(first_violation())
        # And its lines are still its own: changed, they no longer match its hash.
        with without_append_only("ledger_entry"), connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_entry SET amount = -amount WHERE transaction_id = %s", [moved])
        self.assertEqual(first_violation(), "transaction #1: its content does not match its hash (changed after "
                                            "posting: the transaction)")

    def test_entries_of_a_transaction_not_in_the_journal_are_named(self):
        post(), post()
        cash = Account.objects.get(code=Account.CASH)
        # Foreign keys are checked when the database's transaction commits: an attacker's session can leave such
        # rows; the test takes its row away again before its own transaction ends.
        Entry.objects.bulk_create([Entry(transaction_id=999999, line=1, account=cash,
                                         amount=Decimal("5.00"))])
        self.assertEqual(first_violation(), "entries of a transaction that is not in the journal (transaction id "
                                            "999999)")
        with without_append_only("ledger_entry"), connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_entry WHERE transaction_id = 999999")
        self.assertIsNone(first_violation())
