import re
import uuid
from datetime import date
from decimal import Decimal

import time_machine
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ActivityRecord, User
from estate.uploads import PreparedFile
from ledger import services
from ledger.journal import order_by as journal_order_by
from ledger.models import Account, Attachment, Expense, Payment, Receipt, Transaction
from tests.ledger import bulk
from tests.ledger.base import FEB, JAN, MAR, LedgerTestCase


def main(response):
    """The page's own content, without the footer that names whoever is logged in."""
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


@time_machine.travel(date(2026, 4, 10))
class FixedQueriesTest(LedgerTestCase):
    """Every ledger page runs the same number of queries at 10 rows as at 1,000."""

    def count(self, url):
        # What computing the page costs: nothing kept (figures, the dashboard's panels) may answer for it.
        caches["figures"].clear()
        caches["panels"].clear()
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return len(queries)

    def assert_fixed(self, url, grow, user=None):
        self.login(user or self.treasurer)
        grow(10)
        small = self.count(url)
        grow(990)
        self.assertEqual(self.count(url), small, f"{url}: queries grow with rows")
        return small

    def test_the_household_statement(self):
        def grow(n):
            bulk.charges(self.household_a, n)
            bulk.payments(self.household_a, n, by=self.treasurer)
        self.assert_fixed(reverse("ledger:household", args=[self.household_a.pk]), grow, user=self.resident)

    def test_the_public_accounts(self):
        def grow(n):
            bulk.incomes(n, by=self.treasurer)
            bulk.expenses(n, by=self.treasurer, approver=self.chair, paid=True)
            bulk.payments(self.household_a, n, by=self.treasurer)
        self.assert_fixed(reverse("ledger:public") + "?year=2026", grow, user=self.resident_b)

    def test_the_committee_lists(self):
        pages = {
            "ledger:journal": lambda n: bulk.incomes(n, by=self.treasurer),
            "ledger:arrears": lambda n: bulk.arrears(self.building2, n),
            "ledger:handovers": lambda n: bulk.payments(self.household_a, n, by=self.head1, needs_handover=True),
            "ledger:expenses": lambda n: bulk.expenses(n, by=self.treasurer, approver=self.member),
            "ledger:approvals": lambda n: bulk.expenses(n, by=self.treasurer, approver=self.member),
            "ledger:fees": lambda n: bulk.adjustments(self.building2, n, by=self.chair),
            "ledger:funds": lambda n: bulk.funds(n, by=self.chair),
            "ledger:months": lambda n: bulk.closed_months(n),
            "ledger:billing": lambda n: bulk.charges(self.household_b, n),
        }
        for name, grow in pages.items():
            with self.subTest(page=name):
                self.assert_fixed(reverse(name), grow, user=self.chair)

    def test_the_chairs_dashboard(self):
        def grow(n):
            bulk.arrears(self.building2, n)  # households, each billed a month
            bulk.charges(self.household_a, n)  # and months of books
        self.assert_fixed(reverse("estate:dashboard"), grow, user=self.chair)

    def test_the_arrears_page_runs_a_known_number_of_queries_on_any_page(self):
        bulk.arrears(self.building2, 120)
        self.login(self.chair)
        first = self.client.get(reverse("ledger:arrears"))
        rows = first.context["rows"]
        self.assertEqual(len(rows), 50)
        self.assertEqual(first.context["page"].paginator.num_pages, 3)
        # The totals line counts and sums every household in arrears, not the page's.
        self.assertEqual((first.context["count"], first.context["total"]), (120, Decimal("120.00")))
        self.assertContains(first, "120 户")
        # Computed afresh, the last page costs what the first does.
        self.assertEqual(self.count(reverse("ledger:arrears") + "?page=3"), self.count(reverse("ledger:arrears")))
        # Kept: session, user with its roles and unread count, the state (tokens and chain head), the kept figures,
        # the kept page (its rows rendered with the chasing column)
        self.client.get(reverse("ledger:arrears"), {"page": 3})
        with self.assertNumQueries(5):
            last = self.client.get(reverse("ledger:arrears"), {"page": 3})
        self.assertEqual(len(last.context["rows"]), 20)
        whole = self.client.get(reverse("ledger:arrears"), {"all": "1"})
        codes = [row.code for row in whole.context["rows"]]
        self.assertEqual(len(codes), 120)
        self.assertEqual(codes, [row.code for page in (1, 2, 3) for row in
                                 self.client.get(reverse("ledger:arrears"), {"page": page}).context["rows"]])

    def test_the_journal_runs_a_known_number_of_queries(self):
        bulk.incomes(60, by=self.treasurer)
        self.login(self.member)
        # session, user with its roles and unread count, the state (with the chain head: the count), the page of 50
        # (entered-by and reversal joined)
        with self.assertNumQueries(4):
            self.assertContains(self.client.get(reverse("ledger:journal")), "60 笔")
        with self.assertNumQueries(3):  # kept: session, user with its roles and unread count, the state
            self.assertContains(self.client.get(reverse("ledger:journal")), "60 笔")

    def test_the_kept_journal_shows_a_posting_or_a_name_changed_however_written(self):
        bulk.incomes(60, by=self.treasurer)
        self.login(self.member)
        self.assertContains(self.client.get(reverse("ledger:journal")), "60 笔")
        bulk.incomes(1, by=self.treasurer)  # in bulk, as a restore would
        self.assertContains(self.client.get(reverse("ledger:journal")), "61 笔")
        services.income_record(kind="parking", date=date(2026, 4, 1), source="停车费", amount=Decimal("7.00"),
                               method="bank", by=self.treasurer)
        self.assertContains(self.client.get(reverse("ledger:journal")), "62 笔")
        User.objects.filter(pk=self.treasurer.pk).update(name="改名的会计")
        self.assertContains(self.client.get(reverse("ledger:journal")), "改名的会计")
        self.assertContains(self.client.get(reverse("ledger:journal"), {"sort": "seq"}), "62 笔")


    def test_the_journal_pages_through_every_transaction_once_in_every_order(self):
        bulk.incomes(60, by=self.treasurer)  # all on one day, all the same amount: ties on date and amount
        bulk.incomes(45, by=self.treasurer, day=date(2026, 2, 3))
        self.login(self.treasurer)
        everything = sorted(Transaction.objects.values_list("seq", flat=True))
        for sort in ("-seq", "seq", "date", "-date", "amount", "-amount"):
            with self.subTest(sort=sort):
                # Forward from the first page by the "next" links, then back from the last by "previous".
                forward, params = [], {"sort": sort}
                while True:
                    page = self.client.get(reverse("ledger:journal"), params).context["page"]
                    forward += [row["seq"] for row in page.rows]
                    if not page.has_next:
                        break
                    params = {"sort": sort, "after": page.next_cursor}
                backward, params = [], {"sort": sort, "last": "1"}
                while True:
                    page = self.client.get(reverse("ledger:journal"), params).context["page"]
                    backward = [row["seq"] for row in page.rows] + backward
                    if not page.has_previous:
                        break
                    params = {"sort": sort, "before": page.previous_cursor}
                self.assertEqual(sorted(forward), everything)
                self.assertEqual(backward, forward)
                expected = list(Transaction.objects.order_by(*journal_order_by(sort)).values_list("seq", flat=True))
                self.assertEqual(forward, expected)

    def test_a_middle_page_of_the_journal_follows_its_cursor_in_every_order(self):
        bulk.incomes(60, by=self.treasurer)
        bulk.incomes(45, by=self.treasurer, day=date(2026, 2, 3))
        self.login(self.treasurer)
        for sort in ("-seq", "seq", "date", "-date", "amount", "-amount"):
            with self.subTest(sort=sort):
                expected = list(Transaction.objects.order_by(*journal_order_by(sort)).values_list("seq", flat=True))
                first = self.client.get(reverse("ledger:journal"), {"sort": sort})
                page = first.context["page"]
                self.assertEqual([row["seq"] for row in page.rows], expected[:50])
                self.assertContains(first, f"after={page.next_cursor}")
                self.assertContains(first, f"?sort={sort}&amp;last=1")
                self.assertNotContains(first, "before=")
                middle = self.client.get(reverse("ledger:journal"), {"sort": sort, "after": page.next_cursor})
                page = middle.context["page"]
                self.assertEqual([row["seq"] for row in page.rows], expected[50:100])
                self.assertTrue(page.has_previous and page.has_next)
                self.assertContains(middle, f"before={page.previous_cursor}")
                back = self.client.get(reverse("ledger:journal"), {"sort": sort, "before": page.previous_cursor})
                self.assertEqual([row["seq"] for row in back.context["page"].rows], expected[:50])
                last = self.client.get(reverse("ledger:journal"), {"sort": sort, "last": "1"}).context["page"]
                self.assertEqual([row["seq"] for row in last.rows], expected[-50:])
                self.assertFalse(last.has_next)

    def test_the_journals_last_page_runs_the_queries_of_its_first(self):
        bulk.incomes(120, by=self.treasurer)
        self.login(self.member)
        pages = ({"sort": "-amount"}, {"sort": "-amount", "last": "1"}, {"sort": "date", "after": "2026-01-03.7"})
        for params in pages:
            with self.subTest(params=params), self.assertNumQueries(4):
                self.client.get(reverse("ledger:journal"), params)

    def test_an_unreadable_journal_cursor_gives_the_first_page(self):
        bulk.incomes(60, by=self.treasurer)
        self.login(self.treasurer)
        for cursor in ("x", "2026-13-01.4", "NaN.3", "5.00.x", ""):
            with self.subTest(cursor=cursor):
                page = self.client.get(reverse("ledger:journal"), {"sort": "amount", "after": cursor}).context["page"]
                self.assertFalse(page.has_previous)
                self.assertEqual(len(page.rows), 50)


@time_machine.travel(date(2026, 4, 10))
class PaymentPageTest(LedgerTestCase):
    def form(self, **overrides):
        data = {"amount": "39.59", "method": "cash", "date": "2026-04-10", "idempotency_key": uuid.uuid4().hex}
        data.update(overrides)
        return data

    def post(self, data, household=None):
        return self.client.post(reverse("ledger:payment-new", args=[(household or self.household_a).pk]), data)

    def test_the_treasurer_records_a_payment_and_sees_its_receipt(self):
        self.bill(JAN)
        self.login(self.treasurer)
        response = self.post(self.form(), )
        receipt = Receipt.objects.get()
        self.assertRedirects(response, reverse("ledger:receipt", args=[receipt.pk]))
        page = self.client.get(response["Location"]).content.decode()
        self.assertIn("2026-000001", page)
        self.assertIn("叁拾玖元伍角玖分", page)
        self.assertIn("2026-01", page)

    def test_a_double_submission_records_one_payment_and_shows_the_same_receipt(self):
        self.login(self.treasurer)
        data = self.form()
        first = self.post(data)
        second = self.post(data)
        self.assertEqual(first["Location"], second["Location"])
        self.assertEqual(Payment.objects.count(), 1)

    def test_hostile_amounts_get_a_clear_message_and_write_nothing(self):
        self.login(self.treasurer)
        cases = {"-5": "大于或等于0.01", "0": "大于或等于0.01", "1.005": "小数不超过 2 位", "abc": "输入一个数字",
                 "99999999999": "小于或等于", "": "这个字段是必填项"}
        for amount, message in cases.items():
            with self.subTest(amount=amount):
                response = self.post(self.form(amount=amount))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
        response = self.post(self.form(method="bank", reference=""))
        self.assertContains(response, "银行转账需要填写转账流水号")
        self.assertFalse(Payment.objects.exists())

    def test_a_household_that_does_not_exist_is_404(self):
        self.login(self.treasurer)
        response = self.client.post(reverse("ledger:payment-new", args=[999999]), self.form())
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Payment.objects.exists())

    def test_a_building_head_records_a_collection_that_waits_for_hand_over(self):
        self.login(self.head1)
        self.post(self.form())
        payment = Payment.objects.get()
        self.assertTrue(payment.needs_handover)
        self.login(self.treasurer)
        self.assertContains(self.client.get(reverse("ledger:handovers")), "1-1-301")
        self.client.post(reverse("ledger:handover-confirm", args=[payment.pk]))
        self.assertTrue(Payment.objects.get().handover)


@time_machine.travel(date(2026, 4, 10))
class ResidentPagesTest(LedgerTestCase):
    def setUp(self):
        super().setUp()
        self.bill(JAN)
        self.payment = self.pay("39.59")
        self.pay("20.00", household=self.household_b)
        services.income_record(kind="parking", date=date(2026, 1, 20), source="临时停车", amount=Decimal("300.00"),
                               method="cash", by=self.treasurer)
        self.expense = self.approved_expense("120.00")
        services.expense_pay(expense=self.expense, method="cash", by=self.treasurer, date=date(2026, 1, 25))

    def test_my_household_shows_balance_bills_and_receipts(self):
        self.login(self.resident)
        page = self.client.get(reverse("ledger:mine")).content.decode()
        self.assertIn("1-1-301", page)
        self.assertIn(self.payment.receipt.code, page)
        self.assertIn(reverse("ledger:receipt-pdf", args=[self.payment.receipt.pk]), page)
        self.assertNotIn("2-1-101", page)

    def test_the_statement_says_each_payments_receipt_and_each_months_state(self):
        for month in (FEB, MAR, date(2026, 4, 1)):
            self.bill(month)
        services.payment_reverse(payment=self.payment, reason="记错", by=self.treasurer, date=date(2026, 2, 1))
        held = self.pay("79.18", by=self.head1, day=date(2026, 4, 2))
        self.login(self.resident)
        page = main(self.client.get(reverse("ledger:mine")))
        void = self.payment.receipt
        self.assertIn(f'<a href="{reverse("ledger:receipt", args=[void.pk])}">{void.code}</a>'
                      '<br><span class="badge bad">作废</span>', page)
        self.assertNotIn(reverse("ledger:receipt-pdf", args=[void.pk]), page)
        self.assertIn(f'<a href="{reverse("ledger:receipt-pdf", args=[held.receipt.pk])}">收据 PDF</a>', page)
        self.assertIn('<span class="muted">月份 2026-01 – 2026-02</span><br><span class="badge warn">在楼栋长处</span>',
                      page)
        # January and February paid by the building head's collection, March overdue, April not due till the 15th.
        row = '<tr><td class="nowrap">{}</td><td class="money">39.59</td><td class="money">{}</td><td>{}</td></tr>'
        self.assertIn(row.format("2026-02", "39.59", '<span class="badge good">已付</span>'), page)
        self.assertIn(row.format("2026-03", "0.00", '<span class="badge bad">欠 39.59</span>'), page)
        self.assertIn(row.format("2026-04", "0.00", '<span class="badge warn">04-15 前缴</span>'), page)

    def test_the_statement_shows_a_year_and_every_open_month_and_the_whole_history_on_request(self):
        # Sixteen months billed (2025-01 to 2026-04); 1-1-301 paid January 2026 only and owes since 2025-01.
        from ledger.models import add_months

        month = date(2025, 1, 1)
        while month <= date(2026, 4, 1):
            if month != JAN:  # January 2026 is billed by the set-up
                self.bill(month)
            month = add_months(month, 1)
        old = self.pay("39.59", household=self.household_b, day=date(2025, 2, 3))
        self.login(self.treasurer)
        url = reverse("ledger:household", args=[self.household_b.pk])
        page = main(self.client.get(url))
        self.assertIn("2025-05 起的账单和缴费，以及所有未缴清的月份", page)
        self.assertIn('<a href="?all=1">全部记录（自 2025-01 起）</a>', page)
        # A year of bills, not the paid ones before it; its payment before the year waits for the whole history.
        self.assertIn('<td class="nowrap">2025-05</td>', page)
        self.assertNotIn('<td class="nowrap">2025-01</td>', page)
        self.assertNotIn(old.receipt.code, page)
        whole = main(self.client.get(url, {"all": "1"}))
        self.assertIn('<td class="nowrap">2025-01</td>', whole)
        self.assertIn(old.receipt.code, whole)
        self.assertIn("只看最近十二个月", whole)
        # 1-1-301 owes every month of 2025: all of them show, the oldest too, with the same balance.
        statement = self.client.get(reverse("ledger:household", args=[self.household_a.pk]))
        self.assertIn('<td class="nowrap">2025-01</td>', main(statement))
        whole = self.client.get(reverse("ledger:household", args=[self.household_a.pk]), {"all": "1"})
        self.assertGreater(statement.context["owed"], 0)
        self.assertEqual(statement.context["owed"], whole.context["owed"])

    def test_the_receipt_pdf_downloads(self):
        self.login(self.resident)
        response = self.client.get(reverse("ledger:receipt-pdf", args=[self.payment.receipt.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF-"))
        self.assertIn("receipt-2026-000001.pdf", response["Content-Disposition"])

    def test_the_public_accounts_show_every_line_with_running_balances_and_no_names(self):
        self.login(self.resident)
        page = main(self.client.get(reverse("ledger:public") + "?year=2026"))
        self.assertIn("临时停车", page)
        self.assertIn("保洁公司", page)
        self.assertIn("59.59", page)  # fees: 39.59 + 20.00, one line
        self.assertIn("239.59", page)  # 59.59 + 300.00 − 120.00 at the month's end
        for private in ("周阿姨", "吴先生", "13812341234", "1-1-301", "2-1-101"):
            self.assertNotIn(private, page)

    def test_the_public_accounts_fold_each_month_with_its_totals_and_open_the_latest(self):
        services.income_record(kind="parking", date=date(2026, 3, 5), source="月租车位", amount=Decimal("50.00"),
                               method="cash", by=self.treasurer)
        self.login(self.resident)
        page = main(self.client.get(reverse("ledger:public") + "?year=2026"))
        march, january = page.split('<details class="month"')[1:]
        self.assertTrue(march.startswith(" open>"))  # the latest month is unfolded, the others folded
        self.assertTrue(january.startswith(">"))
        summary = march.split("</summary>")[0]
        self.assertIn("2026-03", summary)
        self.assertIn('结余 <strong class="money">289.59</strong>', summary)  # 239.59 + 50.00
        self.assertInHTML('<span class="money">50.00</span>', summary)
        # On a phone each line is a card: what it was, then in or out, then the balance labelled.
        self.assertIn('<td class="money card-figure">+50.00</td>', march)
        self.assertIn('<td class="money card-field card-line" data-label="结余">289.59</td>', march)

    def test_a_reversed_payment_shows_its_receipt_void(self):
        services.payment_reverse(payment=self.payment, reason="收错", by=self.treasurer)
        self.login(self.resident)
        self.assertContains(self.client.get(reverse("ledger:receipt", args=[self.payment.receipt.pk])), "作废")

    def test_the_reminder_slip_shows_the_unit_and_amounts_only(self):
        self.login(self.head1)
        page = main(self.client.get(reverse("ledger:reminder", args=[self.household_a2.pk])))
        self.assertIn("1-1-302", page)
        self.assertIn("28.86", page)
        for private in ("周阿姨", "13812341234"):
            self.assertNotIn(private, page)


@time_machine.travel(date(2026, 4, 10))
class CommitteePagesTest(LedgerTestCase):
    def test_the_billing_button_bills_the_month_once(self):
        self.login(self.treasurer)
        self.client.post(reverse("ledger:billing-run"), {"month": "2026-02", "idempotency_key": "one"})
        # The same form sent again says what it did the first time; a new form finds nobody left to bill.
        response = self.client.post(reverse("ledger:billing-run"), {"month": "2026-02", "idempotency_key": "one"},
                                    follow=True)
        self.assertContains(response, "101.99")
        response = self.client.post(reverse("ledger:billing-run"), {"month": "2026-02", "idempotency_key": "two"},
                                    follow=True)
        self.assertContains(response, "没有变化")

    def test_the_kept_billing_page_follows_charges_written_in_bulk(self):
        self.login(self.treasurer)
        self.assertNotContains(self.client.get(reverse("ledger:billing")), "19.50")
        # session, user with its roles and unread count, the state (every version's token)
        with self.assertNumQueries(3):
            self.client.get(reverse("ledger:billing"))
        bulk.charges(self.household_b, 1)  # no service, no activity record: the table's trigger moves the token
        self.assertContains(self.client.get(reverse("ledger:billing")), "19.50")

    def test_each_showing_of_the_kept_billing_form_has_its_own_key(self):
        self.login(self.treasurer)
        keys = [re.search(r'name="idempotency_key" value="([0-9a-f]{32})"',
                          self.client.get(reverse("ledger:billing")).content.decode()).group(1) for _ in range(2)]
        self.assertNotEqual(keys[0], keys[1])

    def test_one_member_s_kept_billing_page_is_never_shown_to_another(self):
        self.assert_kept_per_viewer(reverse("ledger:billing"), self.treasurer, self.chair)

    def test_a_member_approves_from_the_approvals_page(self):
        expense = services.expense_record(date=date(2026, 4, 1), category="greening", payee="绿化队",
                                          amount=Decimal("80.00"), description="补种", by=self.treasurer)
        self.login(self.member)
        self.assertContains(self.client.get(reverse("ledger:approvals")), "绿化队")
        self.client.post(reverse("ledger:expense-approve", args=[expense.pk]), {"idempotency_key": "k"})
        self.assertEqual(expense.approvals.get().approver, self.member)
        self.assertNotContains(self.client.get(reverse("ledger:approvals")), "绿化队")

    def test_the_approvals_page_is_kept_per_member_until_the_books_or_the_people_change_however_written(self):
        expense = services.expense_record(date=date(2026, 4, 1), category="greening", payee="绿化队",
                                          amount=Decimal("80.00"), description="补种", by=self.treasurer)
        self.login(self.member)
        # made: session, user, the state, the expenses with their approvals and attachments
        with self.assertNumQueries(6):
            self.assertContains(self.client.get(reverse("ledger:approvals")), "绿化队")
        with self.assertNumQueries(3):  # kept: session, user with its roles and unread count, the state
            self.assertContains(self.client.get(reverse("ledger:approvals")), "绿化队")
        self.login(self.treasurer)  # entered it: never the member's kept list
        self.assertNotContains(self.client.get(reverse("ledger:approvals")), "绿化队")
        self.login(self.member)
        Expense.objects.filter(pk=expense.pk).update(payee="园林公司")
        self.assertContains(self.client.get(reverse("ledger:approvals")), "园林公司")
        expense.approvals.create(approver=self.member)
        self.assertNotContains(self.client.get(reverse("ledger:approvals")), "园林公司")

    def test_an_expense_card_shows_payee_amount_and_status_on_a_phone(self):
        services.expense_record(date=date(2026, 4, 1), category="greening", payee="绿化队",
                                amount=Decimal("80.00"), description="补种", by=self.treasurer)
        self.login(self.member)
        page = main(self.client.get(reverse("ledger:expenses")))
        self.assertIn('<table class="cards">', page)
        self.assertInHTML('<td class="money card-figure">80.00</td>', page)
        self.assertIn('<td class="card-field" data-label="状态"><span class="badge warn">', page)
        self.assertIn('<td class="card-title"><a href="', page)

    def test_the_journal_exports_csv_and_xlsx(self):
        self.bill(JAN)
        payment = self.pay("39.59")
        reversal = services.payment_reverse(payment=payment, reason="记错房号", by=self.treasurer)
        self.login(self.chair)
        page = self.client.get(reverse("ledger:journal"))
        self.assertContains(page, f'<a href="{payment.transaction.pk}/">#{payment.transaction.seq}</a>', html=True)
        self.assertEqual(self.client.get(reverse("ledger:transaction", args=[payment.transaction.pk])).status_code,
                         200)
        self.assertContains(page, f"#{reversal.seq}</span>")
        csv = self.client.get(reverse("ledger:journal") + "?_export=csv").content.decode()
        self.assertIn("101.99", csv)
        self.assertIn(f"39.59,{self.treasurer},#{reversal.seq}", csv)
        xlsx = self.client.get(reverse("ledger:journal") + "?_export=xlsx")
        self.assertTrue(xlsx.content.startswith(b"PK"))

    def test_the_journal_shows_each_posting_in_a_row_and_escapes_what_people_typed(self):
        self.login(self.chair)
        self.assertContains(self.client.get(reverse("ledger:journal")), "暂无记录。")
        income = services.income_record(kind="parking", date=date(2026, 4, 2), source="<script>alert(1)</script>",
                                        amount=Decimal("1234.50"), method="cash", by=self.treasurer)
        txn = income.transaction
        page = self.client.get(reverse("ledger:journal"))
        # On a phone the row is a card: memo and amount first, number, date and kind labelled, no clerk.
        self.assertContains(page, f"""<tr>
            <td class="card-field" data-label="编号"><a href="{txn.pk}/">#{txn.seq}</a></td>
            <td class="nowrap card-field" data-label="日期">2026-04-02</td>
            <td class="card-field" data-label="类型">收入</td>
            <td class="card-title">停车费：&lt;script&gt;alert(1)&lt;/script&gt;</td>
            <td class="money card-figure">1,234.50</td>
            <td class="card-off">张会计</td></tr>""", html=True)
        self.assertContains(page, '<table class="journal cards">')
        self.assertNotContains(page, "<script>alert(1)")
        self.assertNotContains(page, "暂无记录。")

    def test_the_journal_export_keeps_typed_text_from_running_as_a_spreadsheet_formula(self):
        # An account's name and a payee are typed by people; Excel runs a cell that starts with "=".
        Account.objects.filter(code="cleaning").update(name='=HYPERLINK("http://evil.example","保洁")')
        services.expense_pay(expense=self.approved_expense("50.00"), method="cash", by=self.treasurer)
        self.login(self.chair)
        csv = self.client.get(reverse("ledger:journal") + "?_export=csv").content.decode("utf-8")
        self.assertTrue(csv.startswith("\ufeff"))  # Excel in China opens a CSV without it as GBK
        self.assertIn("'=HYPERLINK", csv)
        self.assertNotIn(',=HYPERLINK', csv)
        self.assertNotIn('"=HYPERLINK', csv)

    def test_the_treasurer_without_two_factor_is_sent_to_set_it_up(self):
        from allauth.mfa.models import Authenticator

        Authenticator.objects.filter(user=self.treasurer).delete()
        self.login(self.treasurer)
        response = self.client.post(reverse("ledger:billing-run"), {"month": "2026-02"},
                                    HTTP_REFERER="http://testserver/ledger/billing/")
        self.assertRedirects(response,
                             reverse("accounts:two-step") + "?next=http%3A%2F%2Ftestserver%2Fledger%2Fbilling%2F",
                             fetch_redirect_response=False)


@time_machine.travel(date(2026, 4, 10))
class ChartAndAttachmentTest(LedgerTestCase):
    def test_the_committee_renames_an_account_and_it_is_logged(self):
        parking = Account.objects.get(code="parking")
        self.login(self.member)
        self.client.post(reverse("ledger:account-rename", args=[parking.pk]), {"name": "停车收入"})
        self.assertEqual(Account.objects.get(pk=parking.pk).name, "停车收入")
        self.assertTrue(ActivityRecord.objects.filter(verb="ledger.account.renamed").exists())

    def test_an_expense_is_entered_with_its_invoice_and_a_non_image_is_refused(self):
        self.login(self.treasurer)
        data = {"date": "2026-04-09", "category": Account.objects.get(code="cleaning").pk, "payee": "保洁公司",
                "amount": "88.00", "description": "四月保洁", "idempotency_key": "k"}
        refused = self.client.post(reverse("ledger:expense-new"), {
            **data, "attachment": SimpleUploadedFile("invoice.pdf", b"<script>alert(1)</script>")})
        self.assertContains(refused, "PDF")
        self.assertFalse(Expense.objects.exists())
        pdf = SimpleUploadedFile("发票.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
        response = self.client.post(reverse("ledger:expense-new"), {**data, "attachment": pdf})
        expense = Expense.objects.get()
        self.assertRedirects(response, reverse("ledger:expense", args=[expense.pk]))
        attachment = Attachment.objects.get()
        self.assertNotIn("发票", attachment.name)  # stored under a random name
        served = self.client.get(reverse("ledger:attachment", args=[attachment.pk]))
        self.assertEqual(served["Content-Type"], "application/pdf")
        self.assertIn("sandbox", served["Content-Security-Policy"])

    def test_residents_see_the_invoices_of_paid_expenses_only(self):
        # Until it is paid an expense is not in the public accounts, nor its invoice; a cancelled one
        # (a wrong file attached, say: attachments cannot be deleted) never is.
        pending = services.expense_record(date=date(2026, 4, 9), category="cleaning", payee="保洁公司",
                                          amount=Decimal("88.00"), description="四月保洁", by=self.treasurer)
        cancelled = services.expense_record(date=date(2026, 4, 9), category="cleaning", payee="张三",
                                            amount=Decimal("20.00"), description="误录", by=self.treasurer)
        prepared = PreparedFile(b"%PDF-1.4\n%%EOF\n", "pdf", "application/pdf", "invoice.pdf")
        waiting = services.attachment_add(expense=pending, prepared=prepared, by=self.treasurer)
        withdrawn = services.attachment_add(expense=cancelled, prepared=prepared, by=self.treasurer)
        services.expense_cancel(expense=cancelled, reason="传错了文件", by=self.treasurer)
        self.login(self.resident_b)
        for attachment in (waiting, withdrawn):
            self.assertEqual(self.client.get(reverse("ledger:attachment", args=[attachment.pk])).status_code, 404)
        services.expense_approve(expense=pending, by=self.chair)
        services.expense_pay(expense=pending, method="cash", by=self.chair)
        self.assertEqual(self.client.get(reverse("ledger:attachment", args=[waiting.pk])).status_code, 200)
        self.login(self.member)
        self.assertEqual(self.client.get(reverse("ledger:attachment", args=[withdrawn.pk])).status_code, 200)

