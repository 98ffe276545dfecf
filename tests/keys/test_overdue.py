from datetime import datetime, timedelta

import time_machine
from django.test import override_settings
from django.utils import timezone

from keys.models import KeyHandover
from tests.keys.base import KeysTestCase


def local(*args):
    return timezone.make_aware(datetime(*args))  # Asia/Shanghai


class OverdueTest(KeysTestCase):
    def test_a_key_out_late_in_the_evening_is_overdue_after_midnight_only_once_four_hours_have_passed(self):
        with time_machine.travel(local(2026, 6, 2, 22, 30), tick=False) as clock:
            handover = self.take_out()
            self.assertEqual(handover.due_back_at, local(2026, 6, 3, 2, 30))
            clock.move_to(local(2026, 6, 3, 0, 5))
            self.assertFalse(self.reload(handover).is_overdue)  # 00:05 is "earlier" than 22:30 by the clock face
            clock.move_to(local(2026, 6, 3, 2, 30))
            self.assertFalse(self.reload(handover).is_overdue)
            clock.move_to(local(2026, 6, 3, 2, 31))
            self.assertTrue(self.reload(handover).is_overdue)

    def test_a_key_out_the_morning_before_is_overdue_on_the_next_day_at_an_earlier_hour(self):
        with time_machine.travel(local(2026, 6, 2, 9, 0), tick=False) as clock:
            handover = self.take_out()
            clock.move_to(local(2026, 6, 3, 8, 0))
            self.assertTrue(self.reload(handover).is_overdue)

    def test_overdue_counts_from_the_witness_confirmation_not_the_keeper_s(self):
        with time_machine.travel(local(2026, 6, 2, 10, 0), tick=False) as clock:
            handover = self.start()
            clock.shift(timedelta(minutes=10))
            from keys import services

            services.handover_confirm_out(handover=handover, by=self.volunteer2)
            clock.move_to(local(2026, 6, 2, 14, 5))
            self.assertFalse(self.reload(handover).is_overdue)
            clock.move_to(local(2026, 6, 2, 14, 11))
            self.assertTrue(self.reload(handover).is_overdue)

    def test_a_key_back_or_never_out_is_never_overdue(self):
        with time_machine.travel(local(2026, 6, 2, 10, 0), tick=False) as clock:
            back = self.bring_back(self.take_out())
            waiting = self.reload(self.start(deposit=self.deposit_b))
            clock.shift(timedelta(days=2))
            self.assertFalse(self.reload(back).is_overdue)
            self.assertFalse(self.reload(waiting).is_overdue)

    def test_one_confirmation_back_still_leaves_the_key_overdue(self):
        from keys import services

        with time_machine.travel(local(2026, 6, 2, 10, 0), tick=False) as clock:
            handover = self.take_out()
            clock.shift(timedelta(hours=5))
            services.handover_confirm_back(handover=handover, by=self.volunteer, note="通风")
            self.assertTrue(self.reload(handover).is_overdue)

    @override_settings(KEYS_OVERDUE_HOURS=1)
    def test_the_allowed_time_is_a_setting(self):
        with time_machine.travel(local(2026, 6, 2, 10, 0), tick=False) as clock:
            handover = self.take_out()
            clock.shift(timedelta(minutes=61))
            self.assertTrue(self.reload(handover).is_overdue)

    def test_an_overdue_key_shows_on_the_committee_dashboard_and_the_keepers_page_until_it_is_back(self):
        with time_machine.travel(local(2026, 6, 2, 22, 0), tick=False) as clock:
            handover = self.take_out()
            clock.move_to(local(2026, 6, 3, 3, 0))
            self.login(self.member)
            self.assertContains(self.client.get("/"), "badge bad")
            self.login(self.volunteer)
            self.assertContains(self.client.get("/keys/"), "badge bad")
            self.bring_back(handover)
            self.assertNotContains(self.client.get("/keys/"), "badge bad")
            self.login(self.member)
            self.assertNotContains(self.client.get("/"), "badge bad")
            self.assertFalse(KeyHandover.objects.out_now().exists())
