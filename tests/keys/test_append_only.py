"""Nothing in a key's history can be altered, not even from a raw SQL console.

The suite runs on PostgreSQL and on SQLite (CI runs both), so each run proves the
triggers of the database it is on.
"""

from django.db import DatabaseError, connection, transaction

from keys import services
from keys.models import InventoryCheck, KeyConsent, KeyHandover, KeyHandoverEvent
from tests.keys.base import KeysTestCase


class AppendOnlyTest(KeysTestCase):
    def assertRefused(self, sql, params):
        with self.assertRaisesMessage(DatabaseError, "append-only"), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, params)

    def test_a_hand_over_cannot_be_updated_or_deleted_with_raw_sql(self):
        handover = self.take_out()
        self.assertRefused("UPDATE keys_keyhandover SET witness_id = %s WHERE id = %s", [self.member.pk, handover.pk])
        self.assertRefused("UPDATE keys_keyhandover SET purpose = 'emergency' WHERE id = %s", [handover.pk])
        self.assertRefused("DELETE FROM keys_keyhandover WHERE id = %s", [handover.pk])
        self.assertEqual(self.reload(handover).witness, self.volunteer2)

    def test_its_confirmations_cannot_be_updated_or_deleted_with_raw_sql(self):
        handover = self.take_out()
        event = handover.events.last()
        self.assertRefused("UPDATE keys_keyhandoverevent SET at = %s WHERE id = %s", [event.at, event.pk])
        self.assertRefused("DELETE FROM keys_keyhandoverevent WHERE id = %s", [event.pk])
        self.assertEqual(KeyHandoverEvent.objects.filter(handover=handover).count(), 2)

    def test_consents_and_inventory_checks_are_append_only_too(self):
        check = services.inventory_record(present={self.deposit.pk: True, self.deposit_b.pk: True}, by=self.volunteer)
        consent = KeyConsent.objects.filter(deposit=self.deposit).get()
        self.assertRefused("UPDATE keys_keyconsent SET plants = %s WHERE id = %s", [False, consent.pk])
        self.assertRefused("DELETE FROM keys_keyconsent WHERE id = %s", [consent.pk])
        self.assertRefused("UPDATE keys_inventoryline SET present = %s WHERE inventory_id = %s", [False, check.pk])
        self.assertRefused("DELETE FROM keys_inventorycheck WHERE id = %s", [check.pk])
        self.assertTrue(InventoryCheck.objects.filter(pk=check.pk).exists())

    def test_the_orm_is_refused_as_well(self):
        handover = self.take_out()
        with self.assertRaises(DatabaseError), transaction.atomic():
            KeyHandover.objects.filter(pk=handover.pk).update(emergency_reason="x")
        with self.assertRaises(DatabaseError), transaction.atomic():
            KeyHandoverEvent.objects.filter(handover=handover).delete()
