"""The bank's statement and the cash box beside the books; a month does not close while they differ unexplained."""

import csv
import io
from datetime import date
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import ActivityRecord
from bank import services
from bank.models import Explanation
from ledger import services as ledger
from ledger.models import ClosedMonth
from tests.ledger.base import JAN, LedgerTestCase

ICBC = {"bank": "工商银行", "date_column": "交易日期", "in_column": "收入金额", "out_column": "支出金额",
        "reference_column": "交易流水号", "counterparty_column": "对方户名", "balance_column": "账户余额"}


def icbc_csv(rows):
    """As the bank exports it: account details above the table, GBK, amounts with thousands separators."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerows([["账号：6222 0000 1111"], ["户名：幸福家园小区业主委员会"], [],
                      ["交易日期", "收入金额", "支出金额", "交易流水号", "对方户名", "账户余额"], *rows, ["合计"]])
    return text.getvalue().encode("gb18030")


@time_machine.travel(date(2026, 2, 10))
class ReconcileTest(LedgerTestCase):
    def setUp(self):
        super().setUp()
        self.bill(JAN)
        self.first = self.pay("100.00", method="bank", day=date(2026, 1, 15))  # reference TX123
        self.second = ledger.payment_record(household=self.household_b, amount=Decimal("200.00"), method="bank",
                                            reference="TX999", idempotency_key="k2", by=self.treasurer,
                                            date=date(2026, 1, 20))[0]
        services.mapping_save(by=self.treasurer, **ICBC)

    def import_january(self):
        data = icbc_csv([
            ("2026-01-15", "100.00", "", "TX123", "周阿姨", "100.00"),
            ("2026-01-15", "100.00", "", "TX123", "周阿姨", "200.00"),  # the bank listed it twice
            ("2026/01/28", "66.00", "", "INT0128", "工商银行", "1,266.00"),  # interest: the books lack it
        ])
        return services.statement_import(month=JAN, bank="工商银行", data=data, original_name="一月.csv",
                                         by=self.treasurer)

    def test_a_statement_with_a_duplicate_line_a_line_the_books_lack_and_a_payment_the_bank_lacks(self):
        statement = self.import_january()
        self.assertEqual(statement.closing_balance, Decimal("1266.00"))
        result = services.reconciliation(JAN)
        self.assertEqual([(line.reference, entry.transaction_id) for line, entry in result.matched],
                         [("TX123", self.first.transaction_id)])
        self.assertEqual([(line.number, line.amount) for line in result.duplicates], [(2, Decimal("100.00"))])
        self.assertEqual([(line.reference, line.amount) for line in result.unmatched_lines],
                         [("INT0128", Decimal("66.00"))])
        self.assertEqual([(e.transaction_id, e.amount) for e in result.unmatched_entries],
                         [(self.second.transaction_id, Decimal("200.00"))])
        self.assertEqual((result.books, result.difference), (Decimal("300.00"), Decimal("966.00")))
        self.assertTrue(ActivityRecord.objects.filter(verb="bank.statement.imported").exists())

    def test_the_month_does_not_close_while_the_bank_differs_unexplained(self):
        self.import_january()
        blocker = ("The bank statement shows 1266.00 yuan, the books 300.00 yuan: explain the difference of "
                   "966.00 yuan")
        self.assertIn(blocker, services.month_close_blockers(JAN)[0])
        with self.assertRaisesMessage(ValidationError, blocker):
            ledger.month_close(month=JAN, by=self.chair)
        self.assertFalse(ClosedMonth.objects.exists())
        services.explanation_write(month=JAN, kind=Explanation.Kind.BANK, by=self.treasurer,
                                   text="1月28日利息66元未入账；重复一行为银行打印重复；TX999 次月到账。")
        self.assertEqual(services.month_close_blockers(JAN), [])
        ledger.month_close(month=JAN, by=self.chair)
        self.assertEqual(services.notice_figures(JAN)["bank_statement"], "1266.00")

    def test_once_reconciling_began_every_later_month_needs_a_statement(self):
        self.import_january()
        services.explanation_write(month=JAN, kind=Explanation.Kind.BANK, by=self.treasurer, text="利息")
        ledger.month_close(month=JAN, by=self.chair)
        with time_machine.travel(date(2026, 3, 5)):
            self.assertEqual(services.month_close_blockers(date(2026, 2, 1)),
                             ["The bank statement of 2026-02 is not entered yet."])

    def test_the_cash_count_needs_a_second_person_and_a_difference_needs_words(self):
        count = services.cash_count(month=JAN, counted=Decimal("10.00"), by=self.treasurer)
        self.assertEqual(count.books, Decimal("0.00"))
        self.assertEqual(services.month_close_blockers(JAN), [
            "The cash count of 2026-01 waits for a second person to confirm it.",
            "The cash box held 10.00 yuan, the books 0.00 yuan: explain the difference of 10.00 yuan in writing.",
        ])
        with self.assertRaisesMessage(ValidationError, "Someone other than the one who counted"):
            services.cash_count_confirm(count=count, by=self.treasurer)
        services.cash_count_confirm(count=count, by=self.chair)
        services.explanation_write(month=JAN, kind=Explanation.Kind.CASH, by=self.treasurer, text="捐款箱的零钱")
        self.assertEqual(services.month_close_blockers(JAN), [])

    def test_an_excel_export_newest_first_takes_the_last_days_balance(self):
        book = Workbook()
        sheet = book.active
        sheet.append(["微信支付商户账单"])
        sheet.append(["交易时间", "收支金额", "商户单号", "对方", "余额"])
        sheet.append(["2026-01-20 10:00:00", "200.00", "TX999", "吴先生", "300.00"])
        sheet.append(["2026-01-15 09:00:00", "100.00", "TX123", "周阿姨", "100.00"])
        buffer = io.BytesIO()
        book.save(buffer)
        services.mapping_save(by=self.treasurer, bank="微信支付", date_column="交易时间", amount_column="收支金额",
                              reference_column="商户单号", counterparty_column="对方", balance_column="余额")
        statement = services.statement_import(month=JAN, bank="微信支付", data=buffer.getvalue(),
                                              original_name="wx.xlsx", by=self.treasurer)
        self.assertEqual(statement.closing_balance, Decimal("300.00"))
        result = services.reconciliation(JAN)
        self.assertEqual((len(result.matched), result.unmatched_lines, result.unmatched_entries,
                          result.difference),
                         (2, [], [], Decimal("0.00")))

    def test_a_row_that_cannot_be_read_is_named_and_nothing_is_kept(self):
        data = icbc_csv([("2026-01-15", "一百", "", "TX123", "周阿姨", "100.00")])
        with self.assertRaisesMessage(ValidationError, "Row 5 cannot be read: “一百”."):
            services.statement_import(month=JAN, bank="工商银行", data=data, original_name="a.csv",
                                      by=self.treasurer)
        data = icbc_csv([("2026-02-01", "5.00", "", "X", "Y", "5.00")])
        with self.assertRaisesMessage(ValidationError, "Line 1 is dated 2026-02-01, outside 2026-01."):
            services.statement_import(month=JAN, bank="工商银行", data=data, original_name="a.csv",
                                      by=self.treasurer)

    def test_the_treasurer_imports_on_the_page_and_sees_what_is_unmatched(self):
        self.login(self.treasurer)
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = icbc_csv([("2026-01-15", "100.00", "", "TX123", "周阿姨", "100.00"),
                         ("2026-01-15", "100.00", "", "TX123", "周阿姨", "200.00"),
                         ("2026-01-28", "66.00", "", "INT0128", "工商银行", "1,266.00")])
        url = reverse("bank:statement-import", kwargs={"month": "2026-01"})
        response = self.client.post(url, {"bank": "工商银行", "file": SimpleUploadedFile("一月.csv", data)},
                                    follow=True)
        self.assertContains(response, "对账单已导入。")
        self.assertContains(response, "INT0128")
        self.assertContains(response, "TX123")
        self.assertContains(response, f"#{self.second.transaction.seq}")
        self.assertContains(response, "说明 966.00 元的差额")
        statement = services.reconciliation(JAN).statement
        file = self.client.get(reverse("bank:statement-file", kwargs={"pk": statement.pk}))
        self.assertEqual(b"".join(file.streaming_content), data)
