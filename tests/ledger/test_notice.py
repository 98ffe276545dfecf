"""The monthly public accounts notice: right to the fen, posted once, served unchanged, verifiable."""

import hashlib
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ledger import services
from ledger.models import ClosedMonth, MonthlyNotice
from ledger.notice import NoticeTampered, _context, notice_data, notice_pdf
from tests.ledger.base import JAN, LedgerTestCase

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (make test installs it)")


def pdf_text(pdf, page=None):
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(["pdftotext", "-layout", *pages, "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode()


def pdf_pages(pdf):
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@time_machine.travel(date(2026, 2, 3))
class NoticeTest(LedgerTestCase):
    def january(self, *, expenses=1):
        """January: billed 101.99 (39.59 + 28.86 + 33.54), 1-1-301 pays, cleaning costs 300.00."""
        self.bill(JAN)
        self.pay("39.59")
        for _ in range(expenses):
            services.expense_pay(expense=self.approved_expense("300.00"), method="bank", date=date(2026, 1, 20),
                                 by=self.treasurer)

    def close_january(self):
        return services.month_close(month=JAN, by=self.chair)

    def test_its_figures_equal_the_ledgers(self):
        self.january()
        data = notice_data(JAN)
        self.assertEqual(data["fees"]["billed"], "101.99")
        self.assertEqual(data["fees"]["collected"], "39.59")
        self.assertEqual(data["fees"]["rate"], "38.8")
        self.assertEqual((data["fees"]["households_paid"], data["fees"]["households_billed"]), (1, 3))
        self.assertEqual(data["expense_total"], "300.00")
        self.assertEqual([a["code"] for a in data["arrears"]], ["1-1-302", "2-1-101"])
        self.assertEqual(data["arrears_total"], "62.40")
        self.assertEqual(data["closing_total"], str(Decimal("39.59") - Decimal("300.00")))
        self.assertNotIn("周阿姨", str(data))  # no resident's name anywhere in the notice

    def test_a_household_finds_the_latest_notice_on_its_dashboard(self):
        self.january()
        self.login(self.resident)
        self.assertNotContains(self.client.get(reverse("estate:dashboard")), reverse("ledger:notice", args=["2026-01"]))
        self.close_january()
        self.assertContains(self.client.get(reverse("estate:dashboard")), reverse("ledger:notice", args=["2026-01"]))

    def test_closing_the_month_posts_the_notice_once_and_serves_those_bytes(self):
        self.january()
        self.close_january()
        notice = MonthlyNotice.objects.get(month=JAN)
        with default_storage.open(notice.pdf, "rb") as stored:
            stored_bytes = stored.read()
        self.assertEqual(hashlib.sha256(stored_bytes).hexdigest(), notice.sha256)

        self.login(self.resident)
        first = self.client.get(reverse("ledger:notice-pdf", args=["2026-01"]))
        second = self.client.get(reverse("ledger:notice-pdf", args=["2026-01"]))
        self.assertEqual(first.content, stored_bytes)
        self.assertEqual(second.content, stored_bytes)
        self.assertEqual(first["Content-Type"], "application/pdf")

        out = ARTIFACTS / "notice-2026-01.pdf"
        ARTIFACTS.mkdir(exist_ok=True)
        call_command("render_notice", "2026-01", "--output", str(out), stdout=StringIO())
        self.assertEqual(out.read_bytes(), stored_bytes)

    def test_the_pdf_embeds_a_chinese_font_and_prints_the_totals(self):
        self.january()
        self.close_january()
        pdf, _ = notice_pdf(JAN)
        fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        self.assertIn("Jiayuan-Sans", fonts)
        self.assertTrue(all(row.split()[-5] == "yes" for row in fonts.splitlines()[2:]), fonts)
        text = pdf_text(pdf).replace(" ", "")
        self.assertIn("本月收入合计39.59", text)  # the month's income, also without any other income
        for expected in ("2026年1月公共收支公示", "101.99", "39.59", "38.8%", "1/3", "300.00", "1-1-302", "62.40"):
            self.assertIn(expected, text)
        self.assertRegex(text, r"第1页/共\d页")
        self.assertNotIn("草稿", text)
        # Page 1 as a picture, for people to look at.
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-",
                        str(ARTIFACTS / "notice-page1")], input=pdf, check=True)
        self.assertTrue((ARTIFACTS / "notice-page1.png").exists())

    def test_the_printed_notice_leaves_out_the_labels_only_the_narrow_page_shows(self):
        self.january()
        with translation.override("zh-hans"):
            printed = render_to_string("ledger/notice_pdf.html", _context(notice_data(JAN)))
        self.assertNotIn("data-label", printed)  # weasyprint parses every attribute; paper shows none of these
        self.assertIn("<th>收款方</th>", printed)
        # The page shows each row as a card with its labels on a narrow screen.
        self.login(self.resident)
        page = self.client.get(reverse("ledger:notice", args=["2026-01"]))
        self.assertContains(page, 'data-label="收款方"')
        self.assertContains(page, 'data-label="金额"')
        # The footer's inline blocks still print the three signature lines.
        text = pdf_text(notice_pdf(JAN)[0]).replace(" ", "")
        for role in ("业委会主任", "财务", "业主监督人"):
            self.assertIn(role, text)

    def test_an_open_month_renders_as_a_draft_without_a_code(self):
        self.january()
        pdf, posted = notice_pdf(JAN)
        self.assertIsNone(posted)
        text = pdf_text(pdf)
        self.assertTrue({"草", "稿"} <= set(text))
        self.assertNotIn("/n/", text)
        self.login(self.resident)
        page = self.client.get(reverse("ledger:notice", args=["2026-01"]))
        self.assertContains(page, "草稿")
        self.assertNotContains(page, "SHA-256")

    def test_the_verification_page_shows_the_notice_and_its_digest_to_anyone(self):
        self.january()
        self.close_january()
        notice = MonthlyNotice.objects.get(month=JAN)
        self.assertIn(f"/n/{notice.code}/", pdf_text(notice_pdf(JAN)[0]).replace(" ", ""))
        response = self.client.get(reverse("notice-verify", args=[notice.code]))
        self.assertContains(response, notice.sha256)
        self.assertContains(response, "101.99")
        self.assertContains(response, "1-1-302")
        # Plain words first; the command line only inside the fold for those who want the file's fingerprint.
        page = response.content.decode()
        self.assertIn("如果这里的数字和纸上的一致", page)
        fold = page.split('<details class="an-digest">')[1].split("</details>")[0]
        self.assertIn("sha256sum", fold)
        self.assertIn(notice.sha256, fold)
        self.assertEqual(page.count("sha256sum"), 1)
        self.assertEqual(self.client.get(reverse("notice-verify", args=["not-a-code"])).status_code, 404)
        # The ledger itself stays closed to the anonymous visitor.
        self.assertEqual(self.client.get(reverse("ledger:notice", args=["2026-01"])).status_code, 302)

    def test_the_page_of_a_closed_month_shows_the_posted_snapshot(self):
        self.january()
        self.close_january()
        notice = MonthlyNotice.objects.get(month=JAN)
        # A payment recorded later (in February) does not change January's notice.
        self.pay("28.86", household=self.household_a2, day=date(2026, 2, 2))
        self.login(self.resident_b)
        page = self.client.get(reverse("ledger:notice", args=["2026-01"]))
        self.assertContains(page, notice.sha256)
        self.assertEqual(page.context["notice"]["fees"]["collected"], Decimal("39.59"))

    def test_a_long_month_breaks_across_pages_with_the_headers_repeated(self):
        self.bill(JAN)
        for _ in range(200):
            services.expense_pay(expense=self.approved_expense("12.50"), method="cash", date=date(2026, 1, 20),
                                 by=self.treasurer)
        pdf, _ = notice_pdf(JAN)
        pages = pdf_pages(pdf)
        self.assertGreaterEqual(pages, 4)
        expense_pages = [page for page in range(1, pages + 1) if "保洁公司" in pdf_text(pdf, page)]
        self.assertGreaterEqual(len(expense_pages), 3)
        for page in expense_pages:
            self.assertIn("收款方", pdf_text(pdf, page), f"page {page} lacks the table's header")
        self.assertIn("2,500.00", pdf_text(pdf).replace(" ", ""))

    def test_a_private_payee_is_masked_for_the_public(self):
        self.bill(JAN)
        expense = services.expense_record(date=date(2026, 1, 20), category="greening", payee="何建军",
                                          payee_is_person=True, amount=Decimal("80.00"), description="草坪修整",
                                          by=self.treasurer)
        services.expense_approve(expense=expense, by=self.chair)
        services.expense_pay(expense=expense, method="cash", date=date(2026, 1, 20), by=self.treasurer)
        self.assertEqual(notice_data(JAN)["expenses"][0]["payee"], "何**")
        self.login(self.resident)
        page = self.client.get(reverse("ledger:public") + "?year=2026")
        self.assertContains(page, "何**")
        self.assertNotContains(page, "何建军")

    def test_nothing_can_change_a_posted_notice(self):
        self.january()
        self.close_january()
        for statement in ("UPDATE ledger_monthlynotice SET sha256 = 'forged'", "DELETE FROM ledger_monthlynotice"):
            with self.subTest(statement=statement), self.assertRaises(DatabaseError), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement)

    def test_a_tampered_stored_file_is_refused(self):
        self.january()
        self.close_january()
        notice = MonthlyNotice.objects.get(month=JAN)
        default_storage.delete(notice.pdf)
        default_storage.save(notice.pdf, StringIO("%PDF-1.7 forged"))
        with self.assertRaises(NoticeTampered):
            notice_pdf(JAN)

    def test_if_the_notice_cannot_be_posted_the_month_stays_open(self):
        self.january()
        with mock.patch("ledger.notice.render_notice_pdf", side_effect=OSError("disk full")):
            with self.assertRaises(OSError):
                self.close_january()
        self.assertFalse(ClosedMonth.objects.filter(month=JAN).exists())
        self.assertFalse(MonthlyNotice.objects.exists())

    def test_a_month_in_the_future_or_malformed_is_not_found(self):
        self.login(self.resident)
        for month in ("2026-13", "2026-3x", "2027-01"):
            with self.subTest(month=month):
                self.assertEqual(self.client.get(reverse("ledger:notice", args=[month])).status_code, 404)


@time_machine.travel(date(2026, 2, 3))
class NoticeOtherPartsTest(LedgerTestCase):
    def test_it_lists_the_months_finished_repairs_and_key_hand_overs_without_names(self):
        finished = [mock.Mock(number="R-0007", category="照明", location="1栋 · 楼道", cost=Decimal("380.00"),
                              finished_on=date(2026, 1, 12)),
                    mock.Mock(number="R-0008", category="绿化", location="花园", cost=None,
                              finished_on=date(2026, 1, 20))]
        with mock.patch("repairs.reports.finished_in_month", return_value=finished) as repairs:
            data = notice_data(JAN)
            text = pdf_text(notice_pdf(JAN)[0]).replace(" ", "")
        repairs.assert_called_with(2026, 1)
        self.assertEqual([r["number"] for r in data["repairs"]], ["R-0007", "R-0008"])
        self.assertEqual(data["repairs_total"], "380.00")
        self.assertEqual(data["keys"], [])
        self.assertIn("1栋·楼道", text)
        self.assertIn("380.00", text)
        self.assertIn("本月没有取用钥匙", text)
