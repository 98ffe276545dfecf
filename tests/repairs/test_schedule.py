from datetime import timedelta

from django.db import transaction

from messaging.models import Message
from repairs import schedule
from repairs.models import Ticket
from tests.keys.base import KeysTestCase


class LateEmergencyRepairTest(KeysTestCase):
    def test_an_emergency_nobody_accepted_in_four_hours_is_told_to_the_committee_once(self):
        ticket = Ticket.objects.create(
            category=Ticket.Category.LEAK,
            place=Ticket.Place.FLAT,
            household=self.household_a,
            description="厨房漏水",
            urgency=Ticket.Urgency.EMERGENCY,
            reported_by=self.resident,
        )
        with transaction.atomic():
            self.assertEqual(schedule.repairs_late_tell(now=ticket.reported_at + timedelta(hours=3, minutes=59)), 0)
            self.assertEqual(schedule.repairs_late_tell(now=ticket.reported_at + timedelta(hours=4, minutes=1)), 3)
            self.assertEqual(schedule.repairs_late_tell(now=ticket.reported_at + timedelta(hours=5)), 0)
        self.assertEqual(
            sorted(m.recipient.username for m in Message.objects.filter(topic="repair_late")),
            ["chair", "member", "treasurer"],
        )
