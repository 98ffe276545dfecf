from datetime import timedelta

import time_machine
from django.db import transaction
from django.utils import timezone

from keys import schedule
from messaging.models import Message
from tests.keys.base import KeysTestCase


class OverdueKeyTest(KeysTestCase):
    def test_an_overdue_key_is_told_once_to_its_keeper_witness_and_the_committee(self):
        start = timezone.now()
        with time_machine.travel(start, tick=False) as clock:
            handover = self.take_out()
            with transaction.atomic():
                self.assertEqual(schedule.keys_overdue_tell(now=timezone.now()), 0)
            clock.shift(timedelta(hours=4, minutes=1))
            with transaction.atomic():
                schedule.keys_overdue_tell(now=timezone.now())
                schedule.keys_overdue_tell(now=timezone.now())
        told = Message.objects.filter(dedupe_key=f"handover:{handover.pk}:overdue")
        self.assertEqual(
            sorted(m.recipient.username for m in told), ["chair", "member", "treasurer", "volunteer", "volunteer2"]
        )
        self.assertIn("K-017", told[0].subject)
        self.assertNotIn("1-1-301", told[0].subject + told[0].body)
