from datetime import date
from decimal import Decimal

from estate.uploads import PreparedFile
from ledger import services
from ledger.models import Account
from tests.access import COMMITTEE, NOT_COMMITTEE, Access, AccessTestCase
from tests.ledger.base import JAN, LedgerTestCase

ROLE_HOLDERS = ("chair", "member", "treasurer", "head1", "volunteer", "resident", "resident_b")
SEES_HOUSEHOLD_A = ("chair", "member", "treasurer", "head1", "resident")
NOT_SEEING_A = ("volunteer", "resident_b", "outsider")
COLLECTORS = ("chair", "member", "treasurer", "head1")
PDF = PreparedFile(b"%PDF-1.4\n%%EOF\n", "pdf", "application/pdf", "invoice.pdf")


def committee_only(url_name, **kwargs):
    return Access(url_name, ok=COMMITTEE, forbidden=NOT_COMMITTEE, **kwargs)


def committee_post(url_name, **kwargs):
    return Access(url_name, ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post", **kwargs)


class LedgerAccessTest(LedgerTestCase, AccessTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.month_bill(month=JAN, by=cls.treasurer)
        cls.payment = services.payment_record(household=cls.household_a, amount=Decimal("39.59"), method="cash",
                                              idempotency_key="access", by=cls.treasurer,
                                              date=date(2026, 1, 5))[0]
        cls.collected = services.payment_record(household=cls.household_a, amount=Decimal("10.00"), method="cash",
                                                idempotency_key="access-2", by=cls.head1,
                                                date=date(2026, 1, 6))[0]
        cls.expense = services.expense_record(date=date(2026, 1, 7), category="cleaning", payee="保洁",
                                              amount=Decimal("100.00"), description="一月", by=cls.treasurer)
        cls.paid = services.expense_record(date=date(2026, 1, 7), category="greening", payee="绿化",
                                           amount=Decimal("80.00"), description="修剪", by=cls.treasurer)
        services.expense_approve(expense=cls.paid, by=cls.chair)
        services.expense_pay(expense=cls.paid, method="cash", by=cls.chair, date=date(2026, 1, 8))
        cls.adjustment = services.adjustment_create(household=cls.household_b, percent_off=Decimal("50"),
                                                    reason="空置", start_month=date(2026, 6, 1), by=cls.chair)

    def setUp(self):
        super().setUp()
        # Files go to the per-test MEDIA_ROOT, so the attachment is made here rather than once per class.
        self.attachment = services.attachment_add(expense=self.paid, prepared=PDF, by=self.treasurer)
        self.pending_attachment = services.attachment_add(expense=self.expense, prepared=PDF, by=self.treasurer)

    rules = [
        Access("ledger:mine", ok=("resident", "resident_b"),
               hidden=("chair", "member", "treasurer", "head1", "volunteer", "outsider")),
        Access("ledger:household", ok=SEES_HOUSEHOLD_A, hidden=NOT_SEEING_A,
               kwargs=lambda t: {"pk": t.household_a.pk}),
        Access("ledger:receipt", ok=SEES_HOUSEHOLD_A, hidden=NOT_SEEING_A,
               kwargs=lambda t: {"pk": t.payment.receipt.pk}),
        Access("ledger:receipt-pdf", ok=SEES_HOUSEHOLD_A, hidden=NOT_SEEING_A,
               kwargs=lambda t: {"pk": t.payment.receipt.pk}),
        Access("ledger:public", ok=ROLE_HOLDERS, forbidden=("outsider",)),
        # A paid expense's invoice is in the public accounts; one not paid (or cancelled) is the committee's.
        Access("ledger:attachment", ok=ROLE_HOLDERS, forbidden=("outsider",),
               kwargs=lambda t: {"pk": t.attachment.pk}),
        Access("ledger:attachment", ok=COMMITTEE, forbidden=("outsider",),
               hidden=("head1", "volunteer", "resident", "resident_b"),
               kwargs=lambda t: {"pk": t.pending_attachment.pk}),
        Access("ledger:payment-new", ok=COLLECTORS, forbidden=("resident",), hidden=NOT_SEEING_A,
               kwargs=lambda t: {"pk": t.household_a.pk}),
        Access("ledger:payment-new", ok=COLLECTORS, forbidden=("resident",), hidden=NOT_SEEING_A, method="post",
               kwargs=lambda t: {"pk": t.household_a.pk},
               data=lambda t: {"amount": "39.59", "method": "cash", "date": "2026-02-01", "idempotency_key": "k"}),
        Access("ledger:reminder", ok=COLLECTORS, forbidden=("volunteer", "resident", "resident_b", "outsider"),
               kwargs=lambda t: {"pk": t.household_a.pk}),
        Access("ledger:arrears", ok=COLLECTORS, forbidden=("volunteer", "resident", "resident_b", "outsider")),
        committee_only("ledger:journal"),
        committee_only("ledger:transaction", kwargs=lambda t: {"pk": t.payment.transaction.pk}),
        committee_post("ledger:transaction-reverse", kwargs=lambda t: {"pk": t.payment.transaction.pk},
                       data=lambda t: {"reason": "测试"}),
        # A building head sees the cash they hold; only the committee confirms it was handed over.
        Access("ledger:handovers", ok=COLLECTORS, forbidden=("volunteer", "resident", "resident_b", "outsider")),
        committee_post("ledger:handover-confirm", kwargs=lambda t: {"pk": t.collected.pk}),
        committee_post("ledger:handovers-confirm", data=lambda t: {"payment": [t.collected.pk]}),
        committee_only("ledger:expenses"),
        committee_only("ledger:expense-new"),
        committee_only("ledger:expense", kwargs=lambda t: {"pk": t.expense.pk}),
        committee_post("ledger:expense-approve", kwargs=lambda t: {"pk": t.expense.pk}),
        committee_post("ledger:expense-pay", kwargs=lambda t: {"pk": t.expense.pk},
                       data=lambda t: {"method": "cash", "date": "2026-01-08"}),
        committee_post("ledger:expense-cancel", kwargs=lambda t: {"pk": t.expense.pk},
                       data=lambda t: {"reason": "重复"}),
        committee_post("ledger:expense-attach", kwargs=lambda t: {"pk": t.expense.pk}),
        committee_only("ledger:approvals"),
        committee_only("ledger:income-new"),
        committee_only("ledger:funds"),
        committee_post("ledger:fund-new", data=lambda t: {"name": "充电棚"}),
        committee_only("ledger:billing"),
        committee_post("ledger:billing-run", data=lambda t: {"month": "2026-02"}),
        committee_only("ledger:months"),
        committee_post("ledger:month-close", data=lambda t: {"month": "2026-01", "confirm": "on"}),
        committee_only("ledger:month", kwargs=lambda t: {"month": "2026-01"}),
        committee_only("ledger:fees"),
        committee_post("ledger:fee-rate-new", data=lambda t: {"rate": "0.40", "effective_from": "2027-01"}),
        committee_post("ledger:adjustment-new", data=lambda t: {
            "household": "1-1-302", "percent_off": "100", "reason": "困难", "start_month": "2026-07"}),
        committee_post("ledger:adjustment-end", kwargs=lambda t: {"pk": t.adjustment.pk},
                       data=lambda t: {"month": "2026-08"}),
        committee_only("ledger:budget", kwargs=lambda t: {"year": 2026}),
        committee_only("ledger:chart"),
        committee_post("ledger:account-rename", kwargs=lambda t: {"pk": Account.objects.get(code="parking").pk},
                       data=lambda t: {"name": "停车收入"}),
    ]
