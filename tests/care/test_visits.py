from datetime import date

import time_machine
from django.db import transaction

from care.visits import visits, visits_tell
from keys import services as key_services
from keys.models import KeyDeposit, Purpose
from messaging.models import Message
from tests.care.base import local
from tests.keys.base import CONSENT, KeysTestCase


class VisitsDueTest(KeysTestCase):
    """K-017's household asked for its plants to be watered on Tuesdays and Fridays."""

    def setUp(self):
        with time_machine.travel(local(2036, 5, 20, 10, 0), tick=False):
            key_services.consent_change(deposit=self.deposit, by=self.resident,
                                        **{**CONSENT, "weekdays": [1, 4]})

    def test_done_due_and_missed_visits_of_the_last_week(self):
        with time_machine.travel(local(2036, 6, 3, 10, 0), tick=False):  # Tuesday 3 June; watered that morning
            self.bring_back(self.take_out(purpose=Purpose.PLANTS), note="浇了阳台的花")
        with time_machine.travel(local(2036, 6, 6, 9, 0), tick=False):  # Friday, not yet watered
            rows = [(v.day, v.status) for v in visits(deposits=self.deposit.household.key_deposits.all())]
            self.assertEqual(rows, [(date(2036, 6, 6), "due"), (date(2036, 6, 3), "done"),
                                    (date(2036, 5, 30), "missed")])
            self.assertEqual(visits(deposits=self.deposit.household.key_deposits.all())[1].notes, "浇了阳台的花")
            self.login(self.resident)
            page = self.client.get("/care/visits/")
        self.assertContains(page, "浇了阳台的花")
        self.assertContains(page, "1 次探访未进行")

    def test_keepers_hear_of_today_s_visits_in_the_morning_and_the_household_of_a_miss(self):
        with transaction.atomic():
            self.assertEqual(visits_tell(now=local(2036, 6, 6, 7, 30)), 0)  # before eight
            visits_tell(now=local(2036, 6, 6, 8, 0))
            visits_tell(now=local(2036, 6, 6, 9, 0))
        keepers = Message.objects.filter(dedupe_key="visits:2036-06-06")
        self.assertEqual(sorted(m.recipient.username for m in keepers), ["chair", "member", "treasurer", "volunteer"])
        self.assertIn("K-017", keepers[0].body)
        with transaction.atomic():
            visits_tell(now=local(2036, 6, 4, 8, 0))  # the Tuesday before went by without a visit
        (missed,) = Message.objects.filter(recipient=self.resident, topic="visits")
        self.assertIn("2036-06-03", missed.body)

    def test_a_volunteer_who_keeps_no_keys_sees_no_household_s_visits(self):
        self.login(self.volunteer2)
        page = self.client.get("/care/visits/")
        self.assertNotContains(page, "K-017")

    def test_the_page_is_kept_per_viewer_and_day_until_the_keys_change_however_written(self):
        with time_machine.travel(local(2036, 6, 6, 9, 0), tick=False):
            self.login(self.resident)
            # made: session, user, the state, the deposits with their consents, the hand-overs
            with self.assertNumQueries(6):
                self.assertContains(self.client.get("/care/visits/"), "2 次探访未进行")
            with self.assertNumQueries(3):  # kept: session, user with its unread count and roles, the state
                self.assertContains(self.client.get("/care/visits/"), "2 次探访未进行")
            self.login(self.volunteer2)  # keeps no keys: never the household's kept list
            self.assertNotContains(self.client.get("/care/visits/"), "K-017")
            self.login(self.resident)
            KeyDeposit.objects.filter(pk=self.deposit.pk).update(status=KeyDeposit.Status.RETURNED)
            self.assertContains(self.client.get("/care/visits/"), "没有待探访。")
            KeyDeposit.objects.filter(pk=self.deposit.pk).update(status=KeyDeposit.Status.ACTIVE)
            self.assertContains(self.client.get("/care/visits/"), "2 次探访未进行")
            self.assertContains(self.client.get("/care/visits/"), "05-30")
        with time_machine.travel(local(2036, 6, 7, 9, 0), tick=False):  # Saturday: 30 May is more than a week ago
            self.login(self.resident)
            self.assertNotContains(self.client.get("/care/visits/"), "05-30")
