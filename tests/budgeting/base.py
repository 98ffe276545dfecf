"""A budget for 2028 drawn up on top of the shared personas, on a fixed calendar (Asia/Shanghai).

The draft (保洁 7,200.00 and 维修 3,000.00) is saved on 2027-03-01; `publish()` opens comments until the end of
2027-03-08; `put_to_vote()` on 2027-03-09 opens the BUDGET motion for a week; `vote(choice)` has the two owners with
logins (1-1-301 and 2-1-101: two of three heads, 187.50 of 261.50 m²) vote and closes the motion on 2027-03-16.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from budgeting import services
from decisions import services as decisions
from decisions.models import Motion
from ledger.models import Account
from tests.base import BaseTestCase

SHANGHAI = ZoneInfo("Asia/Shanghai")
COMMENTS_END = date(2027, 3, 8)


def at(day, hour=10, minute=0):
    """A moment in the estate's time zone, as a clock for time_machine."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def travel(day, hour=10, minute=0):
    return time_machine.travel(at(day, hour, minute), tick=False)


class Budgets:
    @classmethod
    def create_draft(cls):
        cls.accounts = {account.code: account for account in Account.objects.filter(kind=Account.Kind.EXPENSE)}
        cls.cleaning, cls.repairs, cls.greening = (cls.accounts[c] for c in ("cleaning", "repairs", "greening"))
        with travel(date(2027, 3, 1)):
            cls.plan = services.plan_create(year=2028, intro="明年的开支预算", by=cls.chair)
            services.draft_save(
                plan=cls.plan,
                intro="明年的开支预算",
                lines=[(cls.cleaning, Decimal("7200.00"), "保洁员"), (cls.repairs, Decimal("3000.00"), "零星维修")],
                by=cls.chair,
            )

    def reload(self, obj):
        return type(obj).objects.get(pk=obj.pk)

    def publish(self, end=COMMENTS_END):
        with travel(date(2027, 3, 1)):
            self.plan = services.plan_publish(plan=self.plan, comments_end=end, by=self.chair)
        return self.plan

    def comment(self, user, body="意见", account=None, day=date(2027, 3, 2)):
        with travel(day):
            return services.comment_add(plan=self.plan, by=user, body=body, account=account)

    def revise(self, lines, note="采纳意见", day=date(2027, 3, 5)):
        with travel(day):
            return services.plan_revise(plan=self.plan, lines=lines, note=note, by=self.member)

    def put_to_vote(self, day=date(2027, 3, 9)):
        with travel(day):
            return services.plan_put_to_vote(
                plan=self.plan,
                voting_starts=at(day, 9),
                voting_ends=at(day.replace(day=day.day + 7), 9),
                accepts=Motion.Accepts.BOTH,
                by=self.chair,
            )

    def vote(self, putting, choice):
        motion = putting.motion
        with time_machine.travel(motion.voting_starts.astimezone(SHANGHAI).replace(hour=11), tick=False):
            decisions.ballot_cast(motion=motion, household=self.household_a, choice=choice, by=self.resident)
            decisions.ballot_cast(motion=motion, household=self.household_b, choice=choice, by=self.resident_b)
        with time_machine.travel(motion.voting_ends.astimezone(SHANGHAI).replace(hour=10), tick=False):
            return decisions.motion_close(motion=Motion.objects.get(pk=motion.pk), by=self.chair)


class BudgetTestCase(Budgets, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_draft()
