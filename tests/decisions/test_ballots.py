"""Casting, entering, confirming and correcting ballots; every refusal says why and writes nothing."""

from datetime import timedelta
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError

from accounts.models import ActivityRecord
from decisions import services
from decisions.models import Ballot, BallotConfirmation, Motion, Proxy
from estate.models import Resident
from tests.base import make_user
from tests.decisions.base import VotesTestCase, scan


class RefusalTestCase(VotesTestCase):
    def assertRefused(self, code, call, *args, **kwargs):
        """The call raises a ValidationError with `code` and a message, and writes nothing at all."""
        ballots, records = Ballot.objects.count(), ActivityRecord.objects.count()
        confirmations = BallotConfirmation.objects.count()
        with self.assertRaises(ValidationError) as raised:
            call(*args, **kwargs)
        self.assertEqual(raised.exception.code, code)
        self.assertTrue(raised.exception.messages[0])
        self.assertEqual((Ballot.objects.count(), BallotConfirmation.objects.count(), ActivityRecord.objects.count()),
                         (ballots, confirmations, records))
        return raised.exception.messages[0]


class PhoneBallotTest(RefusalTestCase):
    def setUp(self):
        self.open_motion()

    def test_an_owner_votes_and_gets_a_receipt_code(self):
        ballot = self.cast(self.resident, self.household_a, "yes")
        self.assertEqual((ballot.household, ballot.choice, ballot.channel), (self.household_a, "yes", "online"))
        self.assertEqual(ballot.voter_name, "周阿姨")
        self.assertRegex(ballot.code, r"^[A-HJKMNP-Z2-9]{8}$")
        record = ActivityRecord.objects.get(verb="decisions.ballot.cast")
        self.assertEqual(record.details["unit"], "1-1-301")
        self.assertNotIn("yes", str(record.details), "the log must not show the choice before the close")

    def test_a_second_ballot_for_the_unit_is_refused(self):
        self.cast(self.resident, self.household_a, "yes")
        message = self.assertRefused("already_voted", self.cast, self.resident, self.household_a, "no")
        self.assertIn("1-1-301", message)
        self.assertEqual(Ballot.objects.get().choice, "yes")

    def test_a_ballot_after_the_close_is_refused(self):
        self.close()
        self.assertRefused("closed", self.cast, self.resident, self.household_a, "yes")

    def test_a_ballot_after_the_end_of_voting_is_refused_even_before_the_close(self):
        with self.after_the_end():
            self.assertRefused("closed", self.cast, self.resident, self.household_a, "yes")

    def test_a_ballot_before_voting_starts_is_refused(self):
        with time_machine.travel(self.motion.voting_starts - timedelta(minutes=1), tick=False):
            self.assertRefused("not_started", self.cast, self.resident, self.household_a, "yes")

    def test_a_tenant_without_a_proxy_is_refused(self):
        tenant = make_user("tenant", name="租户小陈")
        Resident.objects.create(household=self.household_a, name="租户小陈", user=tenant,
                                relation=Resident.Relation.TENANT)
        message = self.assertRefused("not_entitled", self.cast, tenant, self.household_a, "yes")
        self.assertIn("1-1-301", message)

    def test_another_households_owner_is_refused(self):
        self.assertRefused("not_entitled", self.cast, self.resident_b, self.household_a, "yes")

    def test_a_family_member_with_a_written_proxy_votes_for_the_unit(self):
        daughter = make_user("daughter", name="周小妹")
        Resident.objects.create(household=self.household_a, name="周小妹", user=daughter,
                                relation=Resident.Relation.FAMILY)
        proxy = services.proxy_record(household=self.household_a, grantor_name="周阿姨", holder=daughter,
                                      holder_name="周小妹", assembly=self.assembly, scan=scan(), by=self.member)
        ballot = self.cast(daughter, self.household_a, "no")
        self.assertEqual((ballot.proxy, ballot.voter_name), (proxy, "周小妹"))
        self.assertTrue(ActivityRecord.objects.get(verb="decisions.ballot.cast").details["proxy"])

    def test_a_revoked_proxy_no_longer_lets_its_holder_vote(self):
        daughter = make_user("daughter", name="周小妹")
        proxy = services.proxy_record(household=self.household_a, grantor_name="周阿姨", holder=daughter,
                                      holder_name="周小妹", scan=scan(), by=self.member)
        services.proxy_revoke(proxy=proxy, reason="业主收回", by=self.chair)
        self.assertRefused("not_entitled", self.cast, daughter, self.household_a, "yes")

    def test_a_proxy_for_another_assembly_does_not_cover_this_vote(self):
        daughter = make_user("daughter", name="周小妹")
        other = services.assembly_save(title="另一次大会", form="meeting", by=self.chair)
        Proxy.objects.create(household=self.household_a, grantor_name="周阿姨", holder=daughter, holder_name="周小妹",
                             assembly=other, scan="decisions/proxies/x.png", recorded_by=self.member)
        self.assertRefused("not_entitled", self.cast, daughter, self.household_a, "yes")

    def test_a_motion_taking_paper_only_refuses_a_phone_ballot(self):
        motion = self.draft(title="纸质表决", kind=Motion.Kind.OTHER, accepts=Motion.Accepts.PAPER)
        self.open_motion(motion)
        self.assertRefused("paper_only", self.cast, self.resident, self.household_a, "yes", motion=motion)


class PaperBallotTest(RefusalTestCase):
    def setUp(self):
        self.open_motion()

    def test_a_paper_ballot_counts_once_a_second_member_confirms_it(self):
        ballot = self.paper(self.household_a2, "yes", by=self.member)
        self.assertFalse(Ballot.objects.counted().exists())
        self.assertEqual(services.participation(self.motion)["awaiting_confirmation"], 1)
        services.ballot_confirm(ballot=ballot, choice="yes", by=self.chair)
        self.assertEqual(list(Ballot.objects.counted()), [ballot])
        self.assertEqual(ballot.confirmation.by, self.chair)

    def test_the_member_who_entered_it_cannot_confirm_it(self):
        ballot = self.paper(self.household_a2, "yes", by=self.member)
        message = self.assertRefused("same_member", services.ballot_confirm, ballot=ballot, choice="yes",
                                     by=self.member)
        self.assertIn("录入的人不能自己确认", message)

    def test_a_confirmation_that_reads_the_paper_differently_is_refused(self):
        ballot = self.paper(self.household_a2, "yes", by=self.member)
        self.assertRefused("mismatch", services.ballot_confirm, ballot=ballot, choice="no", by=self.chair)

    def test_a_paper_ballot_for_a_unit_that_voted_on_a_phone_is_refused(self):
        self.cast(self.resident, self.household_a, "yes")
        self.assertRefused("already_voted", services.ballot_enter_paper, motion=self.motion,
                           household=self.household_a, choice="no", voter_name="周阿姨", scan=scan(), by=self.member)

    def test_a_correction_replaces_the_ballot_and_keeps_both(self):
        first = self.paper(self.household_a2, "yes", by=self.member, confirm_by=self.chair)
        correction = services.ballot_correct(ballot=first, choice="no", voter_name="李业主",
                                             reason="录入时看错了选项", scan=scan(), by=self.treasurer)
        self.assertEqual(correction.replaces, first)
        self.assertEqual(Ballot.objects.filter(household=self.household_a2).count(), 2)
        self.assertFalse(Ballot.objects.counted().exists(), "the correction counts once confirmed")
        services.ballot_confirm(ballot=correction, choice="no", by=self.member)
        self.assertEqual(list(Ballot.objects.counted().values_list("choice", flat=True)), ["no"])
        record = ActivityRecord.objects.get(verb="decisions.ballot.corrected")
        self.assertEqual(record.details["reason"], "录入时看错了选项")

    def test_a_ballot_is_corrected_once_and_a_correction_needs_a_reason(self):
        first = self.paper(self.household_a2, "yes", by=self.member, confirm_by=self.chair)
        services.ballot_correct(ballot=first, choice="no", voter_name="李业主", reason="看错", scan=scan(),
                                by=self.treasurer)
        self.assertRefused("already_replaced", services.ballot_correct, ballot=first, choice="abstain",
                           voter_name="李业主", reason="又看错", scan=scan(), by=self.treasurer)
        second = Ballot.objects.get(replaces=first)
        self.assertRefused("no_reason", services.ballot_correct, ballot=second, choice="abstain",
                           voter_name="李业主", reason="  ", scan=scan(), by=self.treasurer)

    def test_the_close_waits_for_paper_ballots_to_be_confirmed(self):
        self.paper(self.household_a2, "yes", by=self.member)
        with self.after_the_end():
            self.assertRefused("awaiting_confirmation", services.motion_close, motion=self.motion, by=self.chair)
        self.assertEqual(self.reload(self.motion).status, Motion.Status.OPEN)


class MotionTest(RefusalTestCase):
    def test_a_draft_can_be_changed(self):
        services.motion_save(motion=self.motion, assembly=self.assembly, title="新标题", text="新全文",
                             kind=Motion.Kind.RULES, voting_starts=self.motion.voting_starts,
                             voting_ends=self.motion.voting_ends, accepts=Motion.Accepts.BOTH, by=self.member)
        self.assertEqual(self.reload(self.motion).title, "新标题")

    def test_a_motion_cannot_be_changed_once_voting_opened(self):
        self.open_motion()
        records = ActivityRecord.objects.count()
        with self.assertRaises(ValidationError) as raised:
            services.motion_save(motion=self.motion, assembly=self.assembly, title="改过的标题", text="x",
                                 kind=Motion.Kind.OTHER, voting_starts=self.motion.voting_starts,
                                 voting_ends=self.motion.voting_ends, accepts=Motion.Accepts.BOTH, by=self.chair)
        self.assertEqual(raised.exception.code, "not_editable")
        self.assertEqual(self.reload(self.motion).title, "更换小区大门门禁系统")
        self.assertEqual(ActivityRecord.objects.count(), records)

    def test_opening_freezes_the_roll(self):
        self.open_motion()
        motion = self.reload(self.motion)
        self.assertEqual((motion.total_area, motion.total_heads), (Decimal("261.50"), 3))
        self.assertEqual(motion.roll.count(), 3)

    def test_opening_tells_those_who_asked_to_hear_of_new_motions_once(self):
        from messaging.models import Message
        from messaging.services import reach_set

        reach_set(user=self.resident, email=False, sms=False, notices=True)
        self.open_motion()
        (message,) = Message.objects.filter(topic="motion")
        self.assertEqual((message.recipient, message.subject), (self.resident, "新议案：更换小区大门门禁系统"))
        self.assertEqual(message.link, self.motion.get_absolute_url())

    def test_one_owner_with_three_units_counts_as_one_head(self):
        from estate.models import Household

        third = Household.objects.create(building=self.building1, entrance="1", floor=4, room="401",
                                         area=Decimal("90.00"))
        services.owner_save(name="钱先生", households=[self.household_a, self.household_a2, third], by=self.chair)
        self.open_motion()
        motion = self.reload(self.motion)
        self.assertEqual((motion.total_area, motion.total_heads), (Decimal("351.50"), 2))
        self.assertEqual(motion.roll.filter(head__startswith="owner:").count(), 3)

    def test_the_tally_is_refused_before_the_close(self):
        self.open_motion()
        message = self.assertRefused("still_running", services.motion_close, motion=self.motion, by=self.chair)
        self.assertIn(":", message)
        self.assertFalse(hasattr(self.reload(self.motion), "tally"))

    def test_an_owners_second_unit_cannot_vote_otherwise(self):
        services.owner_save(name="周阿姨", households=[self.household_a, self.household_a2], by=self.chair)
        self.open_motion()
        self.cast(self.resident, self.household_a, "yes")
        self.assertRefused("owner_choice_differs", self.paper, self.household_a2, "no")
