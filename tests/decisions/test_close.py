"""The close: counted once, stored, printed, numbered; never recomputed differently."""

import hashlib
import json
from decimal import Decimal
from io import StringIO

from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import ActivityRecord
from decisions import services
from decisions.models import Decision, Motion, Tally
from tests.decisions.base import VotesTestCase


class CloseTest(VotesTestCase):
    def vote_two_of_three(self, motion=None):
        """1-1-301 (101.50) for on a phone, 2-1-101 (86.00) against on a phone: 187.50 of 261.50 m², 2 of 3."""
        motion = motion or self.motion
        self.open_motion(motion)
        self.cast(self.resident, self.household_a, "yes", motion=motion)
        self.cast(self.resident_b, self.household_b, "no", motion=motion)

    def test_the_tally_is_stored_with_its_figures_and_reasons(self):
        self.vote_two_of_three()
        self.paper(self.household_a2, "yes", by=self.member, confirm_by=self.chair)
        tally = self.close()
        self.assertEqual(
            (tally.total_area, tally.total_heads, tally.voted_area, tally.voted_heads, tally.yes_area, tally.yes_heads,
             tally.no_area, tally.no_heads, tally.abstain_area, tally.abstain_heads),
            (Decimal("261.50"), 3, Decimal("261.50"), 3, Decimal("175.50"), 2, Decimal("86.00"), 1,
             Decimal("0.00"), 0),
        )
        self.assertTrue(tally.quorum_met)
        self.assertTrue(tally.passed)
        self.assertEqual([(r["stage"], r["measure"], r["met"]) for r in tally.reasons], [
            ("participation", "area", True), ("participation", "heads", True),
            ("approval", "area", True), ("approval", "heads", True)])
        self.assertEqual(self.reload(self.motion).status, Motion.Status.CLOSED)
        record = ActivityRecord.objects.get(verb="decisions.motion.closed")
        self.assertEqual(record.details["sha256"], tally.sha256)

    def test_a_passed_motion_becomes_a_numbered_decision_gapless_in_its_year(self):
        self.vote_two_of_three()
        self.paper(self.household_a2, "yes", by=self.member, confirm_by=self.chair)
        self.close()
        failing = self.draft(title="没人参加的表决", kind=Motion.Kind.OTHER)
        self.open_motion(failing)
        self.close(failing)
        second = self.draft(title="第二项决定", kind=Motion.Kind.BUDGET)
        self.vote_two_of_three(second)
        self.paper(self.household_a2, "yes", by=self.member, confirm_by=self.chair, motion=second)
        self.close(second)
        year = self.motion.voting_ends.year
        self.assertEqual([d.number for d in Decision.objects.order_by("sequence")],
                         [f"{year}-决-001", f"{year}-决-002"])
        self.assertFalse(Decision.objects.filter(motion=failing).exists())
        self.assertEqual(list(Decision.objects.passed(kind=Motion.Kind.BUDGET)), [second.decision])
        self.assertEqual(Decision.objects.for_motion(self.motion).title, "更换小区大门门禁系统")

    def test_a_vote_short_of_participation_fails_with_the_reason(self):
        self.open_motion()
        self.cast(self.resident, self.household_a, "yes")
        tally = self.close()
        self.assertFalse(tally.quorum_met)
        self.assertFalse(tally.passed)
        self.assertFalse(Decision.objects.exists())
        self.assertEqual([r["met"] for r in tally.reasons if r["stage"] == "participation"], [False, False])

    def test_the_tally_pdf_is_the_stored_bytes_on_every_download(self):
        self.vote_two_of_three()
        tally = self.close()
        self.login(self.resident)
        url = reverse("decisions:tally-pdf", args=[self.motion.pk])
        first, second = self.client.get(url), self.client.get(url)
        self.assertEqual(first["Content-Type"], "application/pdf")
        self.assertEqual(first.content, second.content)
        self.assertEqual(hashlib.sha256(first.content).hexdigest(), tally.sha256)
        self.assertEqual(len(first.content), tally.size)

    def test_the_public_verification_page_shows_the_digest_and_the_result(self):
        self.vote_two_of_three()
        tally = self.close()
        response = self.client.get(reverse("tally-verify", args=[tally.code]))
        self.assertContains(response, tally.sha256)
        self.assertContains(response, "更换小区大门门禁系统")
        self.assertNotContains(response, "1-1-301", msg_prefix="this motion shows totals only in public")

    def test_a_motion_cannot_be_closed_twice(self):
        self.vote_two_of_three()
        self.close()
        with self.after_the_end(), self.assertRaisesMessage(Exception, ""):
            services.motion_close(motion=self.motion, by=self.chair)
        self.assertEqual(Tally.objects.count(), 1)


class TallyCommandTest(VotesTestCase):
    def test_it_prints_the_stored_figures_as_json(self):
        self.open_motion()
        self.cast(self.resident, self.household_a, "yes")
        self.cast(self.resident_b, self.household_b, "yes")
        self.close()
        out = StringIO()
        call_command("tally_motion", str(self.motion.pk), "--json", stdout=out)
        figures = json.loads(out.getvalue())
        self.assertEqual(
            {key: figures[key] for key in ("total_area", "total_heads", "voted_area", "voted_heads", "yes_area",
                                           "yes_heads", "quorum_met", "passed")},
            {"total_area": "261.50", "total_heads": 3, "voted_area": "187.50", "voted_heads": 2,
             "yes_area": "187.50", "yes_heads": 2, "quorum_met": True, "passed": True},
        )

    def test_it_refuses_a_motion_that_is_not_closed(self):
        self.open_motion()
        with self.assertRaisesMessage(CommandError, "not closed"):
            call_command("tally_motion", str(self.motion.pk))

    def test_it_prints_the_reasons_in_words(self):
        self.open_motion()
        self.close()
        out = StringIO()
        call_command("tally_motion", str(self.motion.pk), stdout=out)
        self.assertIn("quorum_met     False", out.getvalue())
        self.assertIn("0.00", out.getvalue())
