from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from accounts.models import ActivityRecord
from repairs import services as repairs_services
from tests.voice.base import VoiceTestCase
from voice import services
from voice.models import Comment, CommentHiding


class CommentTest(VoiceTestCase):
    def test_residents_comment_on_a_common_area_ticket_and_its_quotes(self):
        ticket = self.advance(self.common_ticket(), "accepted")
        quote = repairs_services.quote_add(ticket=ticket, by=self.member, contractor=self.firm,
                                           amount=Decimal("800.00"))
        self.login(self.resident_b)
        self.client.post(reverse("voice:ticket-comment", kwargs={"pk": ticket.pk}),
                         {"body": "这家报价偏高，可以再问问。", "quote": quote.pk, "back": "quotes"})
        comment = Comment.objects.get()
        self.assertEqual((comment.ticket, comment.quote, comment.household), (ticket, quote, self.household_b))
        page = self.client.get(reverse("repairs:quotes", kwargs={"pk": ticket.pk}))
        self.assertContains(page, "这家报价偏高，可以再问问。")
        self.assertContains(page, "关于报价：安泰消防维修 800.00")
        self.assertContains(self.client.get(ticket.get_absolute_url()), "居民意见（集思广益）")

    def test_a_flat_ticket_takes_no_residents_comments(self):
        ticket = self.flat_ticket()
        self.login(self.resident_b)  # another household: the ticket is not there at all
        self.assertEqual(self.client.post(reverse("voice:ticket-comment", kwargs={"pk": ticket.pk}),
                                          {"body": "x"}).status_code, 404)
        self.login(self.resident)  # the household's own ticket is private, not a public discussion
        self.assertEqual(self.client.post(reverse("voice:ticket-comment", kwargs={"pk": ticket.pk}),
                                          {"body": "x"}).status_code, 403)
        self.assertNotContains(self.client.get(ticket.get_absolute_url()), "居民意见")
        self.assertFalse(Comment.objects.exists())

    def test_an_empty_comment_is_refused_with_a_message(self):
        self.login(self.resident_b)
        response = self.client.post(reverse("voice:proposal-comment", kwargs={"pk": self.proposal.pk}),
                                    {"body": "   "}, follow=True)
        self.assertContains(response, "你的意见：这个字段是必填项。")
        self.assertFalse(Comment.objects.exists())
        self.assertFalse(ActivityRecord.objects.filter(verb="voice.comment.added").exists())

    def test_the_committee_hides_a_comment_with_a_reason_and_keeps_it(self):
        comment = services.comment_add(by=self.resident_b, body="某某是骗子，电话138xxxx", proposal=self.proposal)
        self.login(self.member)
        self.client.post(reverse("voice:comment-hide", kwargs={"pk": comment.pk}), {"reason": "含他人个人信息"})
        hiding = CommentHiding.objects.get()
        self.assertEqual((hiding.comment, hiding.by, hiding.reason), (comment, self.member, "含他人个人信息"))
        self.login(self.resident)
        page = self.client.get(self.proposal.get_absolute_url())
        self.assertContains(page, "已被业委会（李委员）隐藏：含他人个人信息")
        self.assertNotContains(page, "某某是骗子")
        self.login(self.chair)
        self.assertContains(self.client.get(self.proposal.get_absolute_url()), "某某是骗子")
        self.assertTrue(Comment.objects.filter(pk=comment.pk).exists())
        self.assertEqual(ActivityRecord.objects.get(verb="voice.comment.hidden").details,
                         {"comment": comment.pk, "reason": "含他人个人信息"})

    def test_a_hiding_needs_a_reason_and_happens_once(self):
        comment = services.comment_add(by=self.resident_b, body="意见", proposal=self.proposal)
        with self.assertRaisesMessage(ValidationError, "请说明隐藏的理由"):
            services.comment_hide(comment=comment, reason="", by=self.chair)
        with self.assertRaises(PermissionDenied):
            services.comment_hide(comment=comment, reason="x", by=self.resident)
        services.comment_hide(comment=comment, reason="重复", by=self.chair)
        with self.assertRaisesMessage(ValidationError, "这条意见已经隐藏了。"):
            services.comment_hide(comment=comment, reason="再次", by=self.member)

    def test_comments_are_never_changed_or_deleted_in_the_database(self):
        comment = services.comment_add(by=self.resident_b, body="原话", proposal=self.proposal)
        for sql in ("UPDATE voice_comment SET body = 'changed'", "DELETE FROM voice_comment"):
            with self.subTest(sql=sql), self.assertRaises(IntegrityError), transaction.atomic(), \
                    connection.cursor() as cursor:
                cursor.execute(sql)
        comment.refresh_from_db()
        self.assertEqual(comment.body, "原话")
