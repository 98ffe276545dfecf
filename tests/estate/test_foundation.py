from decimal import Decimal
from unittest import mock

from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.activity import log_action
from accounts.models import ActivityRecord
from estate.models import mask_phone
from ledger.money import round_money
from tests.base import BaseTestCase


class HealthTest(BaseTestCase):
    def test_it_answers_when_the_database_does(self):
        response = self.client.get(reverse("healthz"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["database"], "ok")

    def test_it_answers_503_when_the_database_does_not(self):
        with mock.patch("estate.views.connection.cursor", side_effect=DatabaseError("down")):
            response = self.client.get(reverse("healthz"))
        self.assertEqual(response.status_code, 503)


class MoneyTest(BaseTestCase):
    def test_it_rounds_half_up_to_the_fen(self):
        self.assertEqual(round_money(Decimal("101.50") * Decimal("0.39")), Decimal("39.59"))
        self.assertEqual(round_money(Decimal("0.005")), Decimal("0.01"))

    def test_it_refuses_float(self):
        with self.assertRaises(TypeError):
            round_money(39.585)


class PhoneMaskTest(BaseTestCase):
    def test_it_masks_the_middle(self):
        self.assertEqual(mask_phone("13812341234"), "138****1234")

    def test_committee_and_the_person_see_the_whole_number(self):
        record = self.resident_record
        self.assertEqual(record.phone_for(self.chair), "13812341234")
        self.assertEqual(record.phone_for(self.resident), "13812341234")
        self.assertEqual(record.phone_for(self.head1), "138****1234")
        self.assertEqual(record.phone_for(self.resident_b), "138****1234")


class ActivityLogTest(BaseTestCase):
    def test_it_refuses_to_log_outside_a_transaction(self):
        with self.assertRaises(RuntimeError):
            with mock.patch.object(connection, "in_atomic_block", False):
                log_action("test.nothing", by=self.chair)

    def test_the_database_refuses_update_and_delete(self):
        with transaction.atomic():
            record = log_action("household.updated", self.household_a, by=self.chair, details={"area": "1"})
        for statement in (
            f"UPDATE accounts_activityrecord SET verb = 'forged' WHERE id = {record.pk}",
            f"DELETE FROM accounts_activityrecord WHERE id = {record.pk}",
        ):
            with self.subTest(statement=statement), self.assertRaises(DatabaseError), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement)
        self.assertEqual(ActivityRecord.objects.get(pk=record.pk).verb, "household.updated")


class AppendOnlyTriggersTest(BaseTestCase):
    def test_every_declared_append_only_table_has_its_trigger(self):
        from estate.db import DECLARED, TRIGGER_MARK

        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                               [f"%{TRIGGER_MARK}%"])
            else:
                cursor.execute("SELECT event_object_table FROM information_schema.triggers WHERE trigger_name LIKE %s",
                               [f"%{TRIGGER_MARK}%"])
            guarded = {row[0] for row in cursor.fetchall()}
        self.assertIn("accounts_activityrecord", DECLARED)
        self.assertEqual(set(DECLARED) - guarded, set())
