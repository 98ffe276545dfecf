"""The chain remembered outside the database: backups, printed heads, the committee's mail, the public page."""

import io
import json
import tarfile
from datetime import date
from decimal import Decimal
from io import StringIO

import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from ledger import services
from ledger.anchors import manifest_section
from ledger.models import ClosedMonth, Transaction
from tests.ledger.base import JAN, LedgerTestCase
from tests.ledger.test_tamper import rehash_from, sql, triggers_off


def check(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("check_ledger", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        return exit.code, err.getvalue().strip()
    return 0, out.getvalue().strip()


@time_machine.travel(date(2026, 2, 3))
class AnchorTest(LedgerTestCase):
    def setUp(self):
        super().setUp()
        for persona, address in ((self.chair, "wang@example.cn"), (self.member, "li@example.cn"),
                                 (self.treasurer, "zhang@example.cn"), (self.resident, "zhou@example.cn")):
            persona.email = address
            persona.save(update_fields=["email"])
        self.bill(JAN)
        self.income = services.income_record(kind="parking", date=date(2026, 1, 10), source="停车费",
                                             amount=Decimal("77.00"), method="cash", by=self.treasurer)
        self.payment = self.pay("39.59", day=date(2026, 1, 15))
        with self.captureOnCommitCallbacks(execute=True):
            self.closed = services.month_close(month=JAN, by=self.chair)

    def rewrite_january(self):
        """The careful attacker: the income ×10, every later hash recomputed, the close and notice made to agree."""
        txn = self.income.transaction
        with triggers_off("ledger_income", "ledger_entry", "ledger_transaction", "ledger_closedmonth",
                          "ledger_monthlynotice"):
            sql("UPDATE ledger_income SET amount = 770 WHERE id = %s", [self.income.pk])
            sql("UPDATE ledger_entry SET amount = amount * 10 WHERE transaction_id = %s", [txn.pk])
            sql("UPDATE ledger_transaction SET amount = 770 WHERE id = %s", [txn.pk])
            head = rehash_from(txn.seq)
            sql("UPDATE ledger_closedmonth SET head_hash = %s", [head])
            from ledger.models import MonthlyNotice
            from ledger.notice import notice_data
            from ledger.totals import totals_rebuild

            totals_rebuild()  # the running totals made to agree too
            notice = MonthlyNotice.objects.get()
            data = notice_data(JAN, posted_on=date(2026, 2, 3))
            MonthlyNotice.objects.filter(pk=notice.pk).update(data=data)
        return txn.seq

    def archive(self, section):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            raw = json.dumps({"format": "jiayuan-backup", "ledger": section}).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
        path = self.tmp / "backup.tar.gz"
        path.write_bytes(buffer.getvalue())
        return path

    @property
    def tmp(self):
        from pathlib import Path
        from tempfile import mkdtemp

        path = Path(mkdtemp(prefix="anchors-"))
        self.addCleanup(lambda: __import__("shutil").rmtree(path, ignore_errors=True))
        return path

    def test_the_close_mails_the_new_head_to_every_committee_member(self):
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(sorted(message.to), ["li@example.cn", "wang@example.cn", "zhang@example.cn"])
        self.assertIn(f"#{self.closed.head_seq}", message.subject)
        self.assertIn(f"#{self.closed.head_seq} {self.closed.head_hash}", message.body)
        self.assertIn("2026-01", message.body)

    def test_a_backup_remembers_every_hash_and_the_closed_months_heads(self):
        section = manifest_section()
        self.assertEqual(section["head"], [3, Transaction.objects.get(seq=3).hash])
        self.assertEqual(section["chain"], list(Transaction.objects.order_by("seq").values_list("hash", flat=True)))
        self.assertEqual(section["closed_months"], [{"month": "2026-01", "seq": 3, "hash": self.closed.head_hash}])

    def test_check_against_an_earlier_backup_names_the_first_rewritten_transaction(self):
        path = self.archive(manifest_section())
        self.assertEqual(check("--against", str(path))[0], 0)
        seq = self.rewrite_january()
        self.assertEqual(check(), (0, "Ledger check passed: every invariant holds."))  # inside, all agrees
        code, said = check("--against", str(path))
        self.assertEqual(code, 1)
        self.assertIn(f"transaction #{seq}: differs from {path}", said)
        self.assertIn(f"the books part from it after #{seq - 1}, the last that still matches", said)

    def test_check_against_printed_heads(self):
        heads = self.tmp / "heads.txt"
        heads.write_text(f"一月公示 #{self.closed.head_seq} {self.closed.head_hash[:12]}…\n"
                         f"收据 #{self.payment.transaction.seq} {self.payment.transaction.hash[:16]}\n")
        self.assertEqual(check("--against", str(heads))[0], 0)
        self.rewrite_january()
        code, said = check("--against", str(heads))
        self.assertEqual(code, 1)
        self.assertIn(f"transaction #{self.closed.head_seq}: differs from", said)

    def test_a_file_that_is_neither_is_refused_clearly(self):
        path = self.tmp / "notes.txt"
        path.write_text("nothing here")
        with self.assertRaisesMessage(CommandError, "holds no chain heads"):
            check("--against", str(path))

    def test_the_public_page_answers_for_any_head_ever_printed(self):
        url = reverse("ledger:head-verify")
        seq, digest = self.closed.head_seq, self.closed.head_hash
        page = self.client.get(url, {"seq": seq, "hash": digest[:8].upper()})
        self.assertContains(page, f"一致：账目里仍然是这个链头（#{seq}，日期 2026-01-15）")
        self.assertNotContains(page, "1-1-301")  # the memo names a household: never shown here
        self.rewrite_january()
        page = self.client.get(url, {"seq": seq, "hash": digest[:8]})
        self.assertContains(page, f"不一致：账目里 #{seq} 的哈希已经变了")
        page = self.client.get(url, {"seq": 999, "hash": digest[:8]})
        self.assertContains(page, "账目里没有这个编号的记录")
        page = self.client.get(url, {"seq": seq, "hash": "xyz"})
        self.assertContains(page, "至少 8 个")

    def test_the_receipt_prints_the_chain_head(self):
        self.login(self.resident)
        page = self.client.get(reverse("ledger:receipt", kwargs={"pk": self.payment.receipt.pk}))
        txn = self.payment.transaction
        self.assertContains(page, f"第 {txn.seq} 笔记账，校验码 {txn.hash[:16]}")

    def test_months_closed_stay_closed_in_the_chain_head(self):
        self.assertEqual(ClosedMonth.objects.get().month, JAN)
