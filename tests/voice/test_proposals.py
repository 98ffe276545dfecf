from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import ActivityRecord
from decisions.models import Motion
from repairs.models import Ticket
from tests.committee.motions import motion_draft
from tests.repairs.base import jpeg_upload, prepared_photo
from tests.voice.base import VoiceTestCase
from voice import services
from voice.models import Proposal, ProposalPhoto, Support


class ProposalTest(VoiceTestCase):
    def test_a_resident_proposes_with_photos_and_everyone_with_a_role_reads_it_by_unit_code(self):
        self.login(self.resident_b)
        response = self.client.post(reverse("voice:proposal-new"), {
            "title": "小花园加几张长椅", "body": "老人散步需要歇脚。",
            "photos": [jpeg_upload(gps=True), jpeg_upload(name="b.jpg")],
        })
        proposal = Proposal.objects.get(title="小花园加几张长椅")
        self.assertRedirects(response, proposal.get_absolute_url())
        self.assertEqual((proposal.author, proposal.household, proposal.photos.count()),
                         (self.resident_b, self.household_b, 2))
        self.login(self.volunteer)
        page = self.client.get(proposal.get_absolute_url())
        self.assertContains(page, "老人散步需要歇脚。")
        self.assertContains(page, "2-1-101")
        self.assertNotContains(page, "吴先生")
        photo = proposal.photos.first()
        response = self.client.get(reverse("voice:photo", kwargs={"pk": proposal.pk, "photo_pk": photo.pk}))
        self.assertEqual(response["Content-Type"], "image/jpeg")
        record = ActivityRecord.objects.get(verb="voice.proposal.created", target_id=str(proposal.pk))
        self.assertEqual((record.actor, record.details), (self.resident_b, {"photos": 2}))

    def test_a_photo_is_reached_only_through_its_own_proposal(self):
        other = services.proposal_create(by=self.resident_b, title="另一个", body="内容",
                                         photos=[prepared_photo()])
        photo = other.photos.get()
        self.login(self.resident)
        url = reverse("voice:photo", kwargs={"pk": self.proposal.pk, "photo_pk": photo.pk})
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_written(self):
        self.login(self.resident)
        before = Proposal.objects.count()
        response = self.client.post(reverse("voice:proposal-new"), {
            "title": "标题", "body": "内容", "photos": [SimpleUploadedFile("x.jpg", b"not an image")]})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "x.jpg：只接受 JPEG、PNG 或 WebP 格式的照片。")
        self.assertEqual(Proposal.objects.count(), before)
        self.assertFalse(ProposalPhoto.objects.exists())

    def test_an_empty_proposal_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "请给提议写一个标题。"):
            services.proposal_create(by=self.resident, title="  ", body="内容")

    def test_only_residents_propose(self):
        for persona in (self.volunteer, self.head1, self.member):
            with self.subTest(persona=persona.username), self.assertRaises(PermissionDenied):
                services.proposal_create(by=persona, title="t", body="b")

    def test_others_support_once_and_not_their_own(self):
        self.login(self.resident_b)
        self.client.post(reverse("voice:proposal-support", kwargs={"pk": self.proposal.pk}))
        response = self.client.post(reverse("voice:proposal-support", kwargs={"pk": self.proposal.pk}),
                                    follow=True)
        self.assertContains(response, "你已经附议过了。")
        self.assertContains(response, "1 位居民附议。")
        with self.assertRaisesMessage(ValidationError, "这是你自己的提议。"):
            services.proposal_support(proposal=self.proposal, by=self.resident)
        self.assertEqual(Support.objects.count(), 1)

    def test_the_committee_declines_with_a_reason_for_everyone_to_read(self):
        self.login(self.member)
        response = self.client.post(reverse("voice:proposal-answer", kwargs={"pk": self.proposal.pk}),
                                    {"outcome": "decline", "answer": "消防通道不能占用，另选址后再议。"})
        self.assertRedirects(response, self.proposal.get_absolute_url())
        proposal = self.refreshed()
        self.assertEqual((proposal.status, proposal.answered_by), ("declined", self.member))
        self.login(self.resident_b)
        page = self.client.get(proposal.get_absolute_url())
        self.assertContains(page, "消防通道不能占用，另选址后再议。")
        self.assertContains(page, "不采纳")
        with self.assertRaisesMessage(ValidationError, "业委会已经答复了这条提议。"):
            services.proposal_support(proposal=proposal, by=self.resident_b)

    def test_accepted_as_repair_work_it_becomes_a_linked_common_area_ticket(self):
        services.proposal_accept_as_ticket(proposal=self.proposal, answer="同意，先报修。", by=self.chair,
                                           category=Ticket.Category.OTHER, place=Ticket.Place.PARKING,
                                           building=self.building2)
        proposal = self.refreshed()
        ticket = proposal.ticket
        self.assertEqual((proposal.status, ticket.household, ticket.building, ticket.reported_by),
                         ("accepted", None, self.building2, self.chair))
        self.assertIn("晚上在楼道充电太危险。", ticket.description)
        self.login(self.resident_b)
        self.assertContains(self.client.get(proposal.get_absolute_url()), ticket.get_absolute_url())

    def test_accepted_as_a_vote_it_links_the_motion_drafted_for_it(self):
        motion = motion_draft(kind=Motion.Kind.FUND_RAISING, by=self.chair, title="筹集电动车充电棚资金")
        self.login(self.member)
        response = self.client.post(reverse("voice:proposal-answer", kwargs={"pk": self.proposal.pk}),
                                    {"outcome": "motion", "answer": "提交业主大会表决。"}, follow=True)
        self.assertContains(response, "请选择提议所提交的议题。")
        self.assertEqual(self.refreshed().status, "open")
        self.client.post(reverse("voice:proposal-answer", kwargs={"pk": self.proposal.pk}),
                         {"outcome": "motion", "answer": "提交业主大会表决。", "motion": motion.pk})
        proposal = self.refreshed()
        self.assertEqual((proposal.status, proposal.motion), ("accepted", motion))
        self.login(self.resident_b)
        self.assertContains(self.client.get(proposal.get_absolute_url()), "已提交业主表决：筹集电动车充电棚资金")

    def test_an_answer_needs_its_text_and_is_given_once(self):
        with self.assertRaisesMessage(ValidationError, "请写下业委会的答复"):
            services.proposal_decline(proposal=self.proposal, answer=" ", by=self.chair)
        self.login(self.chair)
        response = self.client.post(reverse("voice:proposal-answer", kwargs={"pk": self.proposal.pk}),
                                    {"outcome": "ticket", "answer": "同意"}, follow=True)
        self.assertContains(response, "报修工单需要填写。")
        self.assertEqual(self.refreshed().status, "open")
        self.assertFalse(Ticket.objects.exists())
        services.proposal_decline(proposal=self.proposal, answer="不行", by=self.chair)
        with self.assertRaisesMessage(ValidationError, "业委会已经答复了这条提议。"):
            services.proposal_decline(proposal=self.proposal, answer="再答一次", by=self.chair)

    def test_the_list_runs_the_same_queries_for_many_proposals(self):
        self.login(self.resident)
        url = reverse("voice:proposals")
        self.client.get(url)
        for n in range(10):
            proposal = services.proposal_create(by=self.resident_b, title=f"提议{n}", body="内容")
            services.proposal_support(proposal=proposal, by=self.resident)
            services.comment_add(by=self.resident, body="赞成", proposal=proposal)
        # made afresh: session, user with roles and unread count, the state (every version's token), proposals with
        # households, authors and counts
        with self.assertNumQueries(4):
            page = self.client.get(url)
        self.assertContains(page, "提议9")
        self.assertContains(page, "1 人附议")


class KeptProposalListTest(VoiceTestCase):
    """The list of proposals is kept whole per viewer and address under the decisions', the register's and the
    people's tokens (estate.panels.kept_page)."""

    def test_a_kept_list_follows_a_support_and_a_title_written_behind_the_app_s_back(self):
        proposal = services.proposal_create(by=self.resident_b, title="小花园加几张长椅", body="老人散步需要歇脚。",
                                            photos=[])
        self.login(self.resident)
        self.assertNotContains(self.client.get(reverse("voice:proposals")), "1 人附议")
        self.assertIn("小花园加几张长椅", self.kept_page_without(reverse("voice:proposals"), "voice_proposal"))
        Support.objects.create(proposal=proposal, user=self.resident)  # no service, no activity record
        self.assertContains(self.client.get(reverse("voice:proposals")), "1 人附议")
        Proposal.objects.filter(pk=proposal.pk).update(title="小花园加一张长椅")
        self.assertContains(self.client.get(reverse("voice:proposals")), "小花园加一张长椅")

    def test_one_person_s_kept_list_is_never_shown_to_another(self):
        self.login(self.resident)
        self.assertContains(self.client.get(reverse("voice:proposals")), reverse("voice:proposal-new"))
        self.login(self.volunteer)
        page = self.client.get(reverse("voice:proposals")).content.decode()
        self.assertNotIn(reverse("voice:proposal-new"), page)
        self.assertIn(f"<span>{self.volunteer}</span>", page)
