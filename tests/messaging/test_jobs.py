from datetime import timedelta

import time_machine
from django.db import transaction
from django.utils import timezone

from estate.notices import notice_post, notice_save
from messaging import jobs
from messaging.models import Message
from messaging.services import reach_set
from repairs.models import Ticket
from tests.keys.base import KeysTestCase


class OverdueKeyTest(KeysTestCase):
    def test_an_overdue_key_is_told_once_to_its_keeper_witness_and_the_committee(self):
        start = timezone.now()
        with time_machine.travel(start, tick=False) as clock:
            handover = self.take_out()
            with transaction.atomic():
                self.assertEqual(jobs.keys_overdue_tell(now=timezone.now()), 0)
            clock.shift(timedelta(hours=4, minutes=1))
            with transaction.atomic():
                jobs.keys_overdue_tell(now=timezone.now())
                jobs.keys_overdue_tell(now=timezone.now())
        told = Message.objects.filter(dedupe_key=f"handover:{handover.pk}:overdue")
        self.assertEqual(sorted(m.recipient.username for m in told),
                         ["chair", "member", "treasurer", "volunteer", "volunteer2"])
        self.assertIn("K-017", told[0].subject)
        self.assertNotIn("1-1-301", told[0].subject + told[0].body)


class LateEmergencyRepairTest(KeysTestCase):
    def test_an_emergency_nobody_accepted_in_four_hours_is_told_to_the_committee_once(self):
        ticket = Ticket.objects.create(category=Ticket.Category.LEAK, place=Ticket.Place.FLAT,
                                       household=self.household_a, description="厨房漏水",
                                       urgency=Ticket.Urgency.EMERGENCY, reported_by=self.resident)
        with transaction.atomic():
            self.assertEqual(jobs.repairs_late_tell(now=ticket.reported_at + timedelta(hours=3, minutes=59)), 0)
            self.assertEqual(jobs.repairs_late_tell(now=ticket.reported_at + timedelta(hours=4, minutes=1)), 3)
            self.assertEqual(jobs.repairs_late_tell(now=ticket.reported_at + timedelta(hours=5)), 0)
        self.assertEqual(sorted(m.recipient.username for m in Message.objects.filter(topic="repair_late")),
                         ["chair", "member", "treasurer"])


class NewNoticeTest(KeysTestCase):
    def test_those_who_asked_hear_of_a_posted_notice(self):
        with transaction.atomic():
            reach_set(user=self.resident, email=True, sms=True, notices=True)
            notice = notice_save(notice=None, title="停水通知", body="周六停水", notice_date=timezone.localdate(),
                                 signature="业委会", by=self.chair)
            notice_post(notice=notice, by=self.chair)
        (message,) = Message.objects.filter(topic="notice")
        self.assertEqual((message.recipient, message.subject), (self.resident, "新通知：停水通知"))
