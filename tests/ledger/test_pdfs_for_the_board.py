"""PDFs for a bulletin board and a phone: the notice's body at 12 pt with its signatures kept with the last
table; the receipt naming payer and collector, with signature lines and the posting's check code, opened inline."""

import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from ledger import services
from ledger.notice import notice_data, render_notice_pdf
from tests.ledger.base import JAN, LedgerTestCase
from tests.ledger.test_notice import pdf_pages, pdf_text

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (make test installs it)")
FOOTER = ("账本校验", "业委会主任", "扫码核对", "http", "页")


def words(pdf, page):
    """(text, width in pt) of every word on a page, by poppler's word boxes."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode()
    return [(text, float(x1) - float(x0))
            for x0, x1, text in re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)<',
                                           out)]


@time_machine.travel(date(2026, 2, 3))
class NoticeForTheBoardTest(LedgerTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.month_bill(month=JAN, by=cls.treasurer)

    def test_the_body_text_is_at_least_12_pt(self):
        pdf = render_notice_pdf(notice_data(JAN))
        # A Chinese character is as wide as the font is large: 库存现金 at 12 pt is 48 pt wide.
        cells = [(text, width) for text, width in words(pdf, 1) if text in ("库存现金", "本月物业费应收")]
        self.assertEqual(len(cells), 2)
        for text, width in cells:
            self.assertGreaterEqual(width / len(text), 11.9, text)

    def test_the_signatures_never_stand_alone_on_the_last_page(self):
        data = notice_data(JAN)
        line = {"date": "2026-01-20", "category": "保洁", "payee": "保洁公司", "description": "楼道保洁",
                "fund": "", "amount": "300.00", "approvers": ["王主任"], "reversed": False}

        def render(count):
            return render_notice_pdf({**data, "expenses": [line] * count}, code="board")

        # The first length that needs one more page is where the footer, the last block, would be pushed onto a
        # page of its own.
        pages = pdf_pages(render(0))
        fits, over = 0, 60
        while over - fits > 1:
            middle = (fits + over) // 2
            fits, over = (middle, over) if pdf_pages(render(middle)) == pages else (fits, middle)
        for count in (over, over + 1):
            pdf = render(count)
            last = pdf_pages(pdf)
            lines = [text.strip() for text in pdf_text(pdf, last).splitlines() if text.strip()]
            with self.subTest(expense_lines=count, pages=last):
                self.assertEqual(last, pages + 1)
                self.assertIn("业委会主任", pdf_text(pdf, last))
                body = [text for text in lines if not any(mark in text for mark in FOOTER)]
                self.assertTrue(body, f"page {last} holds only the footer: {lines}")


@time_machine.travel(date(2026, 2, 3))
class ReceiptForAPhoneTest(LedgerTestCase):
    def test_the_receipt_opens_inline_and_names_payer_collector_signatures_and_check_code(self):
        self.bill(JAN)
        payment, _ = services.payment_record(
            household=self.household_a, amount=Decimal("39.59"), method="cash",
            idempotency_key="receipt", by=self.head1, date=date(2026, 1, 20), payer_name="周阿姨")
        self.login(self.resident)
        response = self.client.get(reverse("ledger:receipt-pdf", args=[payment.receipt.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Content-Disposition"], 'inline; filename="receipt-2026-000001.pdf"')
        text = pdf_text(response.content)
        for expected in ("2026-000001", "缴款人", "周阿姨", "收款人", "刘楼长", "收款人签字", "缴款人签字",
                         f"第 {payment.transaction.seq} 笔记账，校验码 {payment.transaction.hash[:16]}"):
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
        self.assertEqual(pdf_pages(response.content), 1)
