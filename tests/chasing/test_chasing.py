from datetime import timedelta
from decimal import Decimal

import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.models import ActivityRecord
from chasing import services
from chasing.models import ArrearsReminder
from messaging.models import Message
from tests.ledger.base import LedgerTestCase


class ArrearsChasingTest(LedgerTestCase):
    def setUp(self):
        super().setUp()
        self.bill()  # 1-1-301 owes 39.59 for January

    def remind(self, means="call", outcome="promised", by=None, **kwargs):
        with transaction.atomic():
            return services.arrears_remind(household=self.household_a, means=means, outcome=outcome,
                                          by=by or self.head1, **kwargs)

    def test_a_reminder_is_recorded_with_its_outcome_and_shown_on_the_arrears_page(self):
        reminder = self.remind(note="说月底交", next_step="月底再打电话", next_on=timezone.localdate() + timedelta(7))
        self.assertEqual((reminder.owed, reminder.by, reminder.outcome), (Decimal("39.59"), self.head1, "promised"))
        self.assertTrue(ActivityRecord.objects.filter(verb="messaging.arrears_reminded").exists())
        self.login(self.chair)
        page = self.client.get("/ledger/arrears/")
        self.assertContains(page, "月底再打电话")
        self.assertContains(page, f"/arrears/{self.household_a.pk}/")

    def test_the_arrears_page_follows_a_reminder_however_it_is_written(self):
        # The page's rows are kept per state; a reminder written without the app (no activity record) still shows.
        self.login(self.chair)
        self.assertNotContains(self.client.get("/ledger/arrears/"), "写在应用之外")
        ArrearsReminder.objects.bulk_create([ArrearsReminder(
            household=self.household_a, means="call", outcome="promised", next_step="写在应用之外",
            owed=Decimal("39.59"), by=self.chair)])
        self.assertContains(self.client.get("/ledger/arrears/"), "写在应用之外")

    def test_reminders_are_never_more_frequent_than_the_committee_allows(self):
        start = timezone.now()
        with time_machine.travel(start, tick=False) as clock:
            self.remind()
            clock.shift(timedelta(days=13, hours=23))
            with self.assertRaisesMessage(services.ReminderRefused, "14"):
                self.remind(means="slip", outcome="left")
            with transaction.atomic():
                services.reminder_policy_set(min_days=7, by=self.chair)
            self.remind(means="slip", outcome="left")
        self.assertEqual(ArrearsReminder.objects.count(), 2)

    def test_a_reminder_by_message_reaches_the_household_s_inbox(self):
        reminder = self.remind(means="message", outcome="left", by=self.chair)
        message = Message.objects.get(recipient=self.resident, topic="arrears")
        self.assertEqual(reminder.message, message)
        self.assertIn("39.59", message.body)

    def test_a_household_that_owes_nothing_is_not_reminded(self):
        self.pay("33.54", household=self.household_b)  # 86.00 m² × 0.39, all of January
        with self.assertRaisesMessage(services.ReminderRefused, "owes nothing"):
            with transaction.atomic():
                services.arrears_remind(household=self.household_b, means="call", outcome="paid", by=self.chair)
        self.assertFalse(ArrearsReminder.objects.exists())

    def test_the_building_head_of_another_building_cannot_remind(self):
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied), transaction.atomic():
            services.arrears_remind(household=self.household_b, means="call", outcome="paid", by=self.head1)

    def test_the_reminder_form_ticks_no_way_of_reminding_for_the_person(self):
        self.login(self.head1)
        page = self.client.get(f"/arrears/{self.household_a.pk}/").content.decode()
        self.assertEqual(page.count('type="radio" name="means"'), 4)
        self.assertNotIn("checked", page)
        # Sent without one, the form says so and records nothing.
        response = self.client.post(f"/arrears/{self.household_a.pk}/", {"outcome": "promised"})
        self.assertContains(response, "这个字段是必填项")
        self.assertFalse(ArrearsReminder.objects.exists())
