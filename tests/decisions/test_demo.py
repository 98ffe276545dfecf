from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from decisions.models import Ballot, Decision, Motion
from decisions.tally import percent


class DemoVotesTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())

    def test_the_committee_election_and_the_e_bike_shed_fund_passed(self):
        decisions = {d.kind: d for d in Decision.objects.passed()}
        self.assertEqual(set(decisions), {Motion.Kind.ELECTION, Motion.Kind.FUND_RAISING})
        shed = decisions[Motion.Kind.FUND_RAISING].motion.tally
        self.assertIn("电动车棚", shed.motion.title)
        share = percent(shed.voted_area.scaleb(2), shed.total_area.scaleb(2))
        self.assertTrue(75 <= share <= 85, share)
        self.assertTrue(shed.passed)

    def test_one_vote_failed_for_too_few_owners_and_one_is_open(self):
        failed = Motion.objects.closed().get(tally__passed=False)
        self.assertFalse(failed.tally.quorum_met)
        open_vote = Motion.objects.open().get()
        self.assertTrue(open_vote.voting_now())
        self.assertFalse(open_vote.ballots.filter(household__code="1-1-301").exists(),
                         "the demo resident can still try voting")
        self.assertEqual(Ballot.objects.awaiting_confirmation().filter(motion=open_vote).count(), 1)

    def test_ballots_came_on_paper_and_on_phones_paper_confirmed_by_a_second_member(self):
        channels = set(Ballot.objects.values_list("channel", flat=True))
        self.assertEqual(channels, {"online", "paper"})
        for ballot in Ballot.objects.counted().filter(channel="paper").select_related("confirmation"):
            self.assertNotEqual(ballot.cast_by_id, ballot.confirmation.by_id)
        self.assertTrue(Ballot.objects.filter(proxy__isnull=False).exists())
