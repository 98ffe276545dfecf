import shutil
import subprocess
from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.models import ActivityRecord
from estate.models import Notice
from tests.base import BaseTestCase

NOTICE = {
    "title": "关于小区停水的通知",
    "notice_date": "2026-11-20",
    "body": "各位业主：\n\n因更换水管，本周六**上午9点至12点**停水。\n\n- 1栋\n- 2栋\n\n<script>alert('x')</script>",
    "signature": "幸福家园小区业主委员会",
}


class NoticeWritingTest(BaseTestCase):
    def test_the_committee_writes_a_draft_that_residents_cannot_see(self):
        self.login(self.member)
        response = self.client.post(reverse("estate:notice-new"), NOTICE)
        notice = Notice.objects.get()
        self.assertRedirects(response, notice.get_absolute_url())
        self.assertEqual(notice.status, Notice.Status.DRAFT)
        self.assertEqual(notice.created_by, self.member)
        self.assertTrue(ActivityRecord.objects.filter(verb="notice.created", target_id=str(notice.pk)).exists())

        self.login(self.resident)
        self.assertEqual(self.client.get(notice.get_absolute_url()).status_code, 404)
        self.assertNotContains(self.client.get(reverse("estate:notice-list")), NOTICE["title"])

    def test_the_preview_shows_formatting_but_never_runs_html(self):
        self.login(self.member)
        self.client.post(reverse("estate:notice-new"), NOTICE)
        page = self.client.get(Notice.objects.get().get_absolute_url())
        self.assertContains(page, "<strong>上午9点至12点</strong>", html=True)
        self.assertContains(page, "<li>1栋</li>", html=True)
        self.assertNotContains(page, "<script>alert")
        self.assertContains(page, "&lt;script&gt;")

    def test_a_notice_without_title_or_text_is_refused_and_nothing_is_written(self):
        self.login(self.member)
        response = self.client.post(reverse("estate:notice-new"), {**NOTICE, "title": "  ", "body": " "})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请给通知加一个标题")
        self.assertContains(response, "请填写通知正文")
        self.assertFalse(Notice.objects.exists())

    def test_posting_makes_it_public_and_unchangeable(self):
        self.login(self.member)
        self.client.post(reverse("estate:notice-new"), NOTICE)
        notice = Notice.objects.get()
        self.client.post(reverse("estate:notice-post", args=[notice.pk]))
        notice.refresh_from_db()
        self.assertEqual(notice.status, Notice.Status.POSTED)
        self.assertEqual(notice.posted_by, self.member)

        # Posted: the edit page, a second post and discarding are gone.
        self.assertEqual(self.client.get(reverse("estate:notice-edit", args=[notice.pk])).status_code, 404)
        self.assertEqual(self.client.post(reverse("estate:notice-discard", args=[notice.pk])).status_code, 404)
        self.login(self.resident_b)
        self.assertContains(self.client.get(reverse("estate:notice-list")), NOTICE["title"])
        self.assertContains(self.client.get(notice.get_absolute_url()), NOTICE["title"])

    def test_a_resident_finds_posted_notices_on_the_dashboard_but_never_a_draft(self):
        self.login(self.member)
        self.client.post(reverse("estate:notice-new"), NOTICE)
        draft = Notice.objects.get()
        self.login(self.resident)
        self.assertNotContains(self.client.get(reverse("estate:dashboard")), NOTICE["title"])

        self.login(self.member)
        self.client.post(reverse("estate:notice-post", args=[draft.pk]))
        self.login(self.resident)
        dashboard = self.client.get(reverse("estate:dashboard"))
        self.assertContains(dashboard, f'<a href="{draft.get_absolute_url()}">{NOTICE["title"]}</a>', html=True)

    def test_the_database_refuses_to_change_a_posted_notice(self):
        notice = Notice.objects.create(title="公示", body="正文", notice_date=date(2026, 11, 1), signature="业委会",
                                       created_by=self.chair, status=Notice.Status.POSTED)
        for statement in ("UPDATE estate_notice SET title = 'forged'", "DELETE FROM estate_notice"):
            with self.subTest(statement=statement), self.assertRaises(DatabaseError), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement)
        notice.refresh_from_db()
        self.assertEqual(notice.title, "公示")

    def test_a_draft_can_be_discarded(self):
        self.login(self.chair)
        self.client.post(reverse("estate:notice-new"), NOTICE)
        notice = Notice.objects.get()
        self.client.post(reverse("estate:notice-discard", args=[notice.pk]))
        self.assertFalse(Notice.objects.exists())
        self.assertTrue(ActivityRecord.objects.filter(verb="notice.discarded").exists())

    def test_the_list_runs_a_fixed_number_of_queries(self):
        def make(count):
            Notice.objects.bulk_create(
                Notice(title=f"通知{i}", body="x", notice_date=date(2026, 1, 1), signature="业委会",
                       created_by=self.chair, status=Notice.Status.POSTED) for i in range(count)
            )

        self.login(self.resident)
        for count in (10, 50):
            make(count)
            # session, user with its roles and unread count, notices
            with self.assertNumQueries(3):
                self.client.get(reverse("estate:notice-list"))


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (make test installs it)")
class NoticePrintTest(BaseTestCase):
    def test_it_prints_on_a4_with_the_estates_header_and_a_draft_mark(self):
        self.login(self.member)
        self.client.post(reverse("estate:notice-new"), NOTICE)
        notice = Notice.objects.get()
        response = self.client.get(reverse("estate:notice-pdf", args=[notice.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = _pdf_text(response.content)
        self.assertIn("关于小区停水的通知", text)
        self.assertIn("2026年11月20日", text)
        # The 草稿 watermark lies across the page; its two characters come out separately.
        self.assertTrue({"草", "稿"} <= set(text))

        self.client.post(reverse("estate:notice-post", args=[notice.pk]))
        text = _pdf_text(self.client.get(reverse("estate:notice-pdf", args=[notice.pk])).content)
        self.assertFalse({"草", "稿"} <= set(text))


def _pdf_text(pdf):
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode().replace(" ", "")
