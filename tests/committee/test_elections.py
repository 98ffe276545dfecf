from datetime import date

import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import ActivityRecord, Role
from committee import services
from committee.models import Mandate
from decisions.models import Motion
from tests.base import BaseTestCase
from tests.committee.motions import decision_passed, motion_draft, motion_open

ELECTION = Motion.Kind.ELECTION


@time_machine.travel("2026-12-02 10:00 +0800", tick=False)
class ElectionTest(BaseTestCase):
    def setUp(self):
        self.motion = motion_draft(kind=ELECTION, by=self.chair, title="选举第二届业委会")

    def stand(self, user, kind, term_ends=date(2031, 11, 30)):
        return services.candidate_add(motion=self.motion, user=user, kind=kind, term_ends=term_ends, by=self.chair)

    def test_the_passed_election_puts_its_committee_in_place_citing_the_decision(self):
        self.stand(self.member, Role.Kind.CHAIR)
        self.stand(self.chair, Role.Kind.COMMITTEE)
        self.stand(self.outsider, Role.Kind.TREASURER)
        decision = decision_passed(kind=ELECTION, by=self.chair, motion=self.motion)
        self.login(self.member)
        response = self.client.post(reverse("committee:election-install", kwargs={"pk": self.motion.pk}),
                                    follow=True)
        self.assertContains(response, f"业主选举产生的业委会已就位（决定 {decision.number}）")
        active = set(Role.objects.filter(kind__in=("chair", "committee", "treasurer"), ended_at__isnull=True)
                     .values_list("user__username", "kind"))
        self.assertEqual(active, {("member", "chair"), ("chair", "committee"), ("outsider", "treasurer")})
        # The treasurer and chair who were not elected to those roles no longer hold them.
        self.assertTrue(self.treasurer.roles.get(kind="treasurer").ended_at)
        self.assertEqual(Mandate.objects.filter(decision=decision, ends_on=date(2031, 11, 30),
                                                starts_on=date(2026, 12, 2)).count(), 3)
        page = self.client.get(reverse("committee:page"))
        self.assertContains(page, f"业主选举产生：决定 {decision.number}（选举第二届业委会）。")
        self.assertContains(page, "任期 2026-12-02 至 2031-11-30")
        record = ActivityRecord.objects.get(verb="election.installed")
        self.assertEqual(record.details, {"decision": decision.number, "elected": 3, "ended": 3})

    def test_a_member_reelected_to_the_same_role_keeps_it(self):
        self.stand(self.chair, Role.Kind.CHAIR)
        role = self.chair.roles.get()
        decision = decision_passed(kind=ELECTION, by=self.chair, motion=self.motion)
        services.election_install(decision=decision, by=self.member)
        self.assertEqual(list(Role.objects.filter(user=self.chair, ended_at__isnull=True)), [role])
        self.assertEqual(Mandate.objects.get(role=role).decision, decision)

    def test_the_committee_is_put_in_place_once(self):
        self.stand(self.chair, Role.Kind.CHAIR)
        decision = decision_passed(kind=ELECTION, by=self.chair, motion=self.motion)
        services.election_install(decision=decision, by=self.member)
        with self.assertRaisesMessage(ValidationError, "已经就位"):
            services.election_install(decision=decision, by=self.chair)
        self.assertEqual(Mandate.objects.count(), 1)

    def test_an_election_without_a_chair_changes_nothing(self):
        self.stand(self.outsider, Role.Kind.COMMITTEE)
        decision = decision_passed(kind=ELECTION, by=self.chair, motion=self.motion)
        with self.assertRaisesMessage(ValidationError, "没有选出主任"):
            services.election_install(decision=decision, by=self.chair)
        self.assertFalse(self.outsider.roles.exists())
        self.assertFalse(Mandate.objects.exists())

    def test_another_kind_of_decision_grants_no_roles(self):
        decision = decision_passed(kind=Motion.Kind.BUDGET, by=self.chair)
        with self.assertRaisesMessage(ValidationError, "只有选举业委会的决定"):
            services.election_install(decision=decision, by=self.chair)

    def test_candidates_are_fixed_once_voting_opens(self):
        candidate = self.stand(self.outsider, Role.Kind.COMMITTEE)
        motion_open(self.motion)
        with self.assertRaisesMessage(ValidationError, "候选人名单已固定"):
            self.stand(self.volunteer, Role.Kind.COMMITTEE)
        with self.assertRaisesMessage(ValidationError, "候选人名单已固定"):
            services.candidate_remove(candidate=candidate, by=self.chair)
        self.assertEqual(self.motion.candidates.count(), 1)

    def test_after_the_first_election_nobody_is_appointed(self):
        self.stand(self.chair, Role.Kind.CHAIR)
        services.election_install(decision=decision_passed(kind=ELECTION, by=self.chair, motion=self.motion),
                                  by=self.member)
        with self.assertRaisesMessage(ValidationError, "此后的成员只能由选举产生"):
            services.appointment_propose(user=self.outsider, kind="committee", term_ends=date(2027, 1, 1),
                                         reason="补选", by=self.chair)

    def test_the_election_page_names_the_candidates_to_residents_once_published(self):
        self.stand(self.outsider, Role.Kind.COMMITTEE)
        url = reverse("committee:election", kwargs={"pk": self.motion.pk})
        self.login(self.resident)
        self.assertEqual(self.client.get(url).status_code, 404)
        motion_open(self.motion)
        page = self.client.get(url)
        self.assertContains(page, "路人")
        self.assertNotContains(page, reverse("committee:candidate-add", kwargs={"pk": self.motion.pk}))
