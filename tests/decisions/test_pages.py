"""The pages as owners and the committee use them."""

from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ActivityRecord
from decisions import services
from decisions.models import Ballot, Motion, Owner
from estate.models import Household
from tests.decisions.base import VotesTestCase, scan_upload


class VotingPagesTest(VotesTestCase):
    def setUp(self):
        self.open_motion()

    def test_an_owner_reads_the_motion_then_votes_with_a_confirmation_step(self):
        self.login(self.resident)
        page = self.client.get(reverse("decisions:motion", args=[self.motion.pk]))
        self.assertContains(page, "全文如下")
        self.assertContains(page, reverse("decisions:vote", args=[self.motion.pk]))
        url = reverse("decisions:vote", args=[self.motion.pk])
        confirm = self.client.post(url, {"choice": "no", "unit": self.household_a.pk})
        self.assertContains(confirm, 'name="confirmed" value="yes"')
        self.assertFalse(Ballot.objects.exists(), "choosing is not yet voting")
        done = self.client.post(url, {"choice": "no", "unit": self.household_a.pk, "confirmed": "yes"}, follow=True)
        ballot = Ballot.objects.get()
        self.assertEqual((ballot.choice, ballot.cast_by), ("no", self.resident))
        self.assertContains(done, f"{ballot.code[:4]}-{ballot.code[4:]}")

    def test_a_second_visit_to_the_vote_page_shows_the_receipt_instead(self):
        ballot = self.cast(self.resident, self.household_a, "yes")
        self.login(self.resident)
        response = self.client.get(reverse("decisions:vote", args=[self.motion.pk]))
        self.assertRedirects(response, reverse("decisions:receipt", args=[ballot.pk]))

    def test_a_resident_never_sees_another_households_ballot_before_the_close(self):
        ballot = self.cast(self.resident, self.household_a, "abstain")
        self.login(self.resident_b)
        page = self.client.get(reverse("decisions:motion", args=[self.motion.pk]))
        self.assertNotContains(page, ballot.code)
        self.assertNotContains(page, "1-1-301")
        self.assertEqual(self.client.get(reverse("decisions:receipt", args=[ballot.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("decisions:ballots", args=[self.motion.pk])).status_code, 403)
        self.assertEqual(self.client.get(reverse("decisions:tally", args=[self.motion.pk])).status_code, 302)

    def test_the_committee_sees_who_took_part_but_not_how(self):
        self.cast(self.resident, self.household_a, "abstain")
        self.login(self.member)
        page = self.client.get(reverse("decisions:ballots", args=[self.motion.pk]))
        self.assertContains(page, "1-1-301")
        self.assertContains(page, "101.50 / 261.50")
        self.assertNotContains(page, "弃权")

    def test_after_the_close_residents_see_every_units_choice(self):
        self.cast(self.resident, self.household_a, "yes")
        self.cast(self.resident_b, self.household_b, "no")
        self.close()
        self.login(self.resident_b)
        page = self.client.get(reverse("decisions:tally", args=[self.motion.pk]))
        self.assertContains(page, "1-1-301")
        self.assertContains(page, "2-1-101")
        self.assertContains(page, "187.50")

    def test_the_tally_asked_for_before_the_close_says_why_there_is_none(self):
        self.login(self.resident)
        page = self.client.get(reverse("decisions:tally", args=[self.motion.pk]), follow=True)
        self.assertContains(page, "这项议题尚未结束")
        pdf = self.client.get(reverse("decisions:tally-pdf", args=[self.motion.pk]))
        self.assertEqual(pdf.status_code, 302)

    def test_editing_a_motion_after_voting_opened_is_refused_with_a_message(self):
        self.login(self.chair)
        records = ActivityRecord.objects.count()
        response = self.client.post(reverse("decisions:motion-edit", args=[self.motion.pk]),
                                    {"title": "改", "text": "改", "kind": "other"}, follow=True)
        self.assertContains(response, "不能再修改")
        self.assertEqual(self.reload(self.motion).title, "更换小区大门门禁系统")
        self.assertEqual(ActivityRecord.objects.count(), records)

    def test_a_paper_ballot_is_entered_with_its_scan_and_confirmed_by_another_member(self):
        self.login(self.member)
        response = self.client.post(reverse("decisions:paper-new", args=[self.motion.pk]), {
            "household": self.household_a2.pk, "choice": "yes", "voter_name": "钱先生", "scan": scan_upload()})
        self.assertRedirects(response, reverse("decisions:ballots", args=[self.motion.pk]))
        ballot = Ballot.objects.get()
        own = self.client.post(reverse("decisions:ballot-confirm", args=[ballot.pk]), {"choice": "yes"})
        self.assertContains(own, "录入的人不能自己确认")
        self.login(self.chair)
        self.client.post(reverse("decisions:ballot-confirm", args=[ballot.pk]), {"choice": "yes"})
        self.assertEqual(list(Ballot.objects.counted()), [ballot])

    def test_a_paper_ballot_without_a_proper_scan_is_refused(self):
        self.login(self.member)
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = self.client.post(reverse("decisions:paper-new", args=[self.motion.pk]), {
            "household": self.household_a2.pk, "choice": "yes", "voter_name": "钱先生",
            "scan": SimpleUploadedFile("ballot.txt", b"hello")})
        self.assertContains(response, "PDF")
        self.assertFalse(Ballot.objects.exists())


class KeptListTest(VotesTestCase):
    """The list of motions is kept as HTML per viewer and state of the decisions and the people."""

    def test_it_is_kept_per_viewer_until_a_motion_or_a_ballot_changes_however_written(self):
        self.open_motion()
        self.cast(self.resident, self.household_a, "yes")
        draft = self.draft(title="草拟中的议题", kind=Motion.Kind.OTHER)
        self.login(self.chair)
        self.assertContains(self.client.get(reverse("decisions:index")), "草拟中的议题")
        self.login(self.resident)  # drafts stay with the committee, never from the chair's kept list
        # made: session, user with its unread count and roles, the state, the motions, the ballots cast
        with self.assertNumQueries(5):
            page = self.client.get(reverse("decisions:index"))
        self.assertNotContains(page, "草拟中的议题")
        self.assertContains(page, "您已表决")
        with self.assertNumQueries(3):  # kept: session, user with its unread count and roles, the state
            self.assertContains(self.client.get(reverse("decisions:index")), "您已表决")
        self.login(self.member)  # has not voted: never the resident's kept list
        self.assertNotContains(self.client.get(reverse("decisions:index")), "您已表决")
        self.login(self.resident)
        Motion.objects.filter(pk=self.motion.pk).update(title="改过名的议题")  # behind the app's back
        self.assertContains(self.client.get(reverse("decisions:index")), "改过名的议题")
        self.open_motion(draft)
        self.assertContains(self.client.get(reverse("decisions:index")), "草拟中的议题")


class KeptOwnersPageTest(VotesTestCase):
    """The owners of several units are kept as a whole page per viewer and state of the decisions and the
    register."""

    def test_it_follows_an_owner_and_a_unit_code_changed_however_written(self):
        owner = services.owner_save(name="钱先生", households=[self.household_a, self.household_a2], by=self.chair)
        self.login(self.chair)
        self.assertContains(self.client.get(reverse("decisions:owners")), "钱先生")
        page = self.kept_page_without(reverse("decisions:owners"), "decisions_owner")
        self.assertNotIn("formtoken", page)
        Owner.objects.filter(pk=owner.pk).update(name="钱老先生")  # behind the app's back
        self.assertContains(self.client.get(reverse("decisions:owners")), "钱老先生")
        Household.objects.filter(pk=self.household_a2.pk).update(code="1-1-309")
        self.assertContains(self.client.get(reverse("decisions:owners")), "1-1-309")

    def test_one_member_s_kept_page_is_never_shown_to_another(self):
        self.assert_kept_per_viewer(reverse("decisions:owners"), self.chair, self.member)


class ListQueriesTest(VotesTestCase):
    def count_queries(self, url):
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def test_the_list_of_motions_costs_the_same_at_one_and_at_four(self):
        self.login(self.resident)
        self.open_motion()
        one = self.count_queries(reverse("decisions:index"))
        for n in range(3):
            motion = self.draft(title=f"议题 {n}", kind=Motion.Kind.OTHER)
            self.open_motion(motion)
            self.cast(self.resident, self.household_a, "yes", motion=motion)
        self.assertEqual(self.count_queries(reverse("decisions:index")), one)

    def test_the_ballot_list_costs_the_same_at_one_ballot_and_at_three(self):
        self.login(self.member)
        self.open_motion()
        self.cast(self.resident, self.household_a, "yes")
        one = self.count_queries(reverse("decisions:ballots", args=[self.motion.pk]))
        self.cast(self.resident_b, self.household_b, "yes")
        self.paper(self.household_a2, "yes", by=self.chair, confirm_by=self.member)
        self.assertEqual(self.count_queries(reverse("decisions:ballots", args=[self.motion.pk])), one)

    def test_the_ballot_list_comes_a_page_at_a_time_by_unit(self):
        self.login(self.member)
        self.open_motion()
        self.cast(self.resident, self.household_a, "yes")
        self.cast(self.resident_b, self.household_b, "yes")
        self.paper(self.household_a2, "yes", by=self.chair, confirm_by=self.member)
        url = reverse("decisions:ballots", args=[self.motion.pk])
        with mock.patch("decisions.views.BALLOTS_PER_PAGE", 2):
            first = self.client.get(url)
            second = self.client.get(url, {"page": 2})
            beyond = self.client.get(url, {"page": 9})
        self.assertContains(first, "1-1-301")
        self.assertContains(first, "1-1-302")
        self.assertNotContains(first, "2-1-101")
        self.assertContains(first, "1 / 2")
        self.assertContains(second, "2-1-101")
        self.assertNotContains(second, "1-1-301")
        self.assertContains(beyond, "2-1-101")
        # The printed record is the whole list, linked from every page.
        self.assertContains(first, "整份名单（共 3 张表决票），供打印")
        with mock.patch("decisions.views.BALLOTS_PER_PAGE", 2):
            whole = self.client.get(url, {"all": "1"})
        for unit in ("1-1-301", "1-1-302", "2-1-101"):
            self.assertContains(whole, unit)
        self.assertNotContains(whole, "1 / 2")
        self.assertContains(whole, "返回分页列表")


class DashboardTest(VotesTestCase):
    def test_the_dashboard_shows_the_open_vote_and_whether_one_has_voted(self):
        self.open_motion()
        self.login(self.resident)
        self.assertContains(self.client.get(reverse("estate:dashboard")), "更换小区大门门禁系统")
        self.cast(self.resident, self.household_a, "yes")
        self.assertContains(self.client.get(reverse("estate:dashboard")), "您已表决")

    def test_a_draft_is_not_on_the_dashboard(self):
        self.login(self.chair)
        self.assertNotContains(self.client.get(reverse("estate:dashboard")), "更换小区大门门禁系统")
