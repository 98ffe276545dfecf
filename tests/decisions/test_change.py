"""An owner changes the unit's vote on a phone before the close: a new ballot replaces the old, both kept."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import ActivityRecord
from decisions import services
from decisions.models import Ballot
from tests.decisions.base import VotesTestCase


class ChangeVoteTest(VotesTestCase):
    def setUp(self):
        self.open_motion()
        self.ballot = self.cast(self.resident, self.household_a, "yes")

    def test_the_owner_changes_the_vote_and_both_ballots_are_kept(self):
        self.login(self.resident)
        url = reverse("decisions:ballot-change", args=[self.ballot.pk])
        confirm = self.client.post(url, {"choice": "no", "reason": "重新读了全文"})
        self.assertContains(confirm, "确认")
        self.assertEqual(Ballot.objects.count(), 1, "nothing is written before the confirmation")
        response = self.client.post(url, {"choice": "no", "reason": "重新读了全文", "confirmed": "yes"})
        change = Ballot.objects.get(replaces=self.ballot)
        self.assertRedirects(response, reverse("decisions:receipt", args=[change.pk]))
        self.assertEqual((change.choice, change.channel, change.reason), ("no", "online", "重新读了全文"))
        self.assertNotEqual(change.code, self.ballot.code)
        self.assertEqual(list(Ballot.objects.counted().values_list("choice", flat=True)), ["no"])
        self.assertEqual(Ballot.objects.count(), 2)
        record = ActivityRecord.objects.get(verb="decisions.ballot.changed")
        self.assertNotIn("重新读了全文", str(record.details), "the reason may tell the choice: not in the log")
        self.login(self.member)
        listing = self.client.get(reverse("decisions:ballots", args=[self.motion.pk]))
        self.assertNotContains(listing, "重新读了全文")
        self.assertContains(listing, "截止后显示")
        self.login(self.resident)
        old_receipt = self.client.get(reverse("decisions:receipt", args=[self.ballot.pk]))
        self.assertNotContains(old_receipt, reverse("decisions:ballot-change", args=[self.ballot.pk]))

    def test_the_tally_counts_the_changed_vote(self):
        services.ballot_change(ballot=self.ballot, choice="no", reason="改主意", by=self.resident)
        self.cast(self.resident_b, self.household_b, "no")
        tally = self.close()
        self.assertEqual((tally.yes_heads, tally.no_heads), (0, 2))

    def test_a_change_needs_a_reason_a_new_choice_and_the_latest_ballot(self):
        with self.assertRaises(ValidationError):
            services.ballot_change(ballot=self.ballot, choice="no", reason=" ", by=self.resident)
        with self.assertRaises(ValidationError):
            services.ballot_change(ballot=self.ballot, choice="yes", reason="同上", by=self.resident)
        services.ballot_change(ballot=self.ballot, choice="no", reason="改主意", by=self.resident)
        with self.assertRaisesMessage(ValidationError, "最新"):
            services.ballot_change(ballot=self.ballot, choice="abstain", reason="再改", by=self.resident)
        self.assertEqual(Ballot.objects.count(), 2)

    def test_nobody_but_the_units_owner_changes_it_and_not_after_the_end(self):
        with self.assertRaises(ValidationError):
            services.ballot_change(ballot=self.ballot, choice="no", reason="代改", by=self.resident_b)
        with self.after_the_end(), self.assertRaises(ValidationError):
            services.ballot_change(ballot=self.ballot, choice="no", reason="晚了", by=self.resident)
        self.assertEqual(Ballot.objects.count(), 1)
