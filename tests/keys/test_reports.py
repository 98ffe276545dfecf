from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

from keys.models import Purpose
from keys.reports import HandoverLine, handovers_in_month
from tests.keys.base import KeysTestCase


def local(*args):
    return timezone.make_aware(datetime(*args))


class HandoversInMonthTest(KeysTestCase):
    def test_it_lists_each_witnessed_hand_over_of_the_month_by_tag_never_by_address(self):
        with time_machine.travel(local(2026, 5, 31, 23, 50), tick=False) as clock:
            self.bring_back(self.take_out())  # out in May (local time), not in June
            clock.move_to(local(2026, 6, 1, 0, 10))
            june = self.take_out(purpose=Purpose.EMERGENCY, reason="煤气味")
            clock.shift(timedelta(minutes=40))
            self.bring_back(june, note="关闭燃气阀")
            clock.move_to(local(2026, 6, 30, 23, 0))
            still_out = self.take_out(deposit=self.deposit_b, keeper=self.member)
            clock.move_to(local(2026, 7, 1, 9, 0))
            self.start()  # only the keeper confirmed: never out, never listed
        self.assertEqual(handovers_in_month(2026, 6), [
            HandoverLine(tag="K-017", is_emergency=True, purpose="emergency", purpose_label="紧急入户",
                         out_at=local(2026, 6, 1, 0, 10), back_at=local(2026, 6, 1, 0, 50), keeper="赵师傅",
                         witness="孙阿姨"),
            HandoverLine(tag="K-018", is_emergency=False, purpose="plants", purpose_label="浇花",
                         out_at=still_out.out_at, back_at=None, keeper="李委员", witness="孙阿姨"),
        ])
        self.assertEqual([line.out_at.month for line in handovers_in_month(2026, 5)], [5])
        self.assertEqual(handovers_in_month(2026, 7), [])

    def test_december_runs_to_the_new_year(self):
        with time_machine.travel(local(2026, 12, 31, 23, 59), tick=False):
            self.take_out()
        self.assertEqual(len(handovers_in_month(2026, 12)), 1)
        self.assertEqual(handovers_in_month(2027, 1), [])

    def test_it_runs_a_fixed_number_of_queries(self):
        for deposit in (self.deposit, self.deposit_b):
            self.bring_back(self.take_out(deposit=deposit))
        month = timezone.localdate()
        with self.assertNumQueries(2):  # the hand-overs with tag and people; their events
            handovers_in_month(month.year, month.month)
