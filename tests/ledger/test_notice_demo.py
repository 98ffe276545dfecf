"""The demo estate's monthly notice as the board gets it: at most four pages, every section, the chain head, the
signature lines and the QR code's address, in the embedded subset font only (the budget of 0.5 s is for up to four
pages: a change that makes the demo month longer shows here, its time in `make benchmark`)."""

import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import TestCase

from ledger.models import MonthlyNotice, add_months
from ledger.notice import notice_data, render_notice_pdf, verification_url
from tests.ledger.test_notice import pdf_pages, pdf_text

pytestmark = pytest.mark.skipif(not shutil.which("pdffonts"), reason="needs poppler-utils (make test installs it)")
SECTIONS = ("一、资金余额", "二、本月收入", "三、本月支出", "四、专项资金", "五、年度预算执行情况", "六、月底欠费情况",
            "银行与现金已核对", "七、本月完成的维修", "八、本月钥匙托管取用记录", "九、相关的业主大会决定")
SIGNATURES = ("业委会主任", "财务", "业主监督人")


class DemoNoticeTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())
        cls.month = MonthlyNotice.objects.order_by("-month").values_list("month", flat=True).first()

    def test_the_last_closed_month_prints_every_section_on_at_most_four_pages(self):
        data = notice_data(self.month)
        pdf = render_notice_pdf(data, code="demo")
        self.assertLessEqual(pdf_pages(pdf), 4)
        text = pdf_text(pdf).replace(" ", "")
        for heading in SECTIONS:
            self.assertIn(heading, text)
        for figure in (data["closing_total"], data["expense_total"], data["arrears_total"]):
            self.assertIn(f"{float(figure):,.2f}", text)
        self.assertIn(f"第{data['chain']['seq']}笔", text)
        self.assertIn(data["chain"]["hash"][:16], text)
        self.assertIn(verification_url("demo"), text)

    def test_the_signature_lines_stand_together_at_the_foot_of_the_last_page(self):
        pdf = render_notice_pdf(notice_data(self.month), code="demo")
        last = pdf_text(pdf, pdf_pages(pdf))
        line = next(line for line in last.splitlines() if SIGNATURES[0] in line)
        self.assertEqual([name for name in SIGNATURES if name in line], list(SIGNATURES), line)
        self.assertLess(last.index("账本校验"), last.index(SIGNATURES[0]))
        self.assertLess(last.index(SIGNATURES[0]), last.index("扫码核对"))

    def test_the_draft_of_the_running_month_fits_too_and_is_marked(self):
        pdf = render_notice_pdf(notice_data(add_months(self.month, 1)))
        self.assertLessEqual(pdf_pages(pdf), 4)
        text = pdf_text(pdf).replace(" ", "")
        self.assertIn("草稿", text)
        self.assertNotIn("扫码核对", text)

    def test_it_embeds_only_the_subset_of_the_projects_font(self):
        pdf = render_notice_pdf(notice_data(self.month), code="demo")
        fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        rows = [row.split() for row in fonts.splitlines()[2:]]
        self.assertEqual({row[0].split("+")[1] for row in rows}, {"Jiayuan-Sans", "Jiayuan-Sans-Bold"}, fonts)
        for row in rows:
            # name, type (two words), encoding, emb, sub, uni, object, generation
            self.assertEqual(row[-5:-2], ["yes", "yes", "yes"], fonts)
