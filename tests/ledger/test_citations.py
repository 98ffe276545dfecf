"""Money the owners reserve to themselves cites their decision (ledger.citations)."""

from datetime import date
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from accounts.models import ActivityRecord
from decisions.models import Motion
from ledger import services
from ledger.models import Account, Budget, Expense, FeeRate, Fund
from ledger.notice import notice_data
from repairs import services as repairs_services
from repairs.models import Ticket
from tests.committee.motions import decision_passed
from tests.ledger.base import JAN, LedgerTestCase
from tests.repairs.base import RepairsTestCase

K = Motion.Kind


@time_machine.travel(date(2026, 1, 25))
class CitationTest(LedgerTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # The estate has recorded an owners' decision: from now on the reserved matters cite one.
        cls.fund_decision = decision_passed(kind=K.FUND_RAISING, by=cls.chair, title="筹集电动车充电棚资金")
        cls.budget_decision = decision_passed(kind=K.BUDGET, by=cls.chair, title="2026年度预算")

    def expense(self, amount, **kwargs):
        return services.expense_record(date=date(2026, 1, 20), category="repairs", payee="华安建筑",
                                       amount=Decimal(amount), description="屋面防水", by=self.treasurer, **kwargs)

    def test_a_fund_without_the_owners_decision_is_refused_and_nothing_written(self):
        with self.assertRaisesMessage(ValidationError, "A fund raised from owners needs the owners' decision"):
            services.fund_create(name="充电棚", by=self.chair)
        with self.assertRaisesMessage(ValidationError, "needs a decision about Raising funds from owners"):
            services.fund_create(name="充电棚", by=self.chair, decision=self.budget_decision)
        self.assertFalse(Fund.objects.exists())
        self.assertFalse(ActivityRecord.objects.filter(verb="ledger.fund.created").exists())
        fund = services.fund_create(name="充电棚", by=self.chair, decision=self.fund_decision)
        self.assertEqual(fund.decision, self.fund_decision)
        self.assertEqual(ActivityRecord.objects.get(verb="ledger.fund.created").details["decision"],
                         self.fund_decision.number)

    def test_a_change_of_the_fee_rate_cites_a_fee_rate_decision(self):
        with self.assertRaisesMessage(ValidationError, "A change of the fee rate needs the owners' decision"):
            services.fee_rate_set(rate=Decimal("0.45"), effective_from=date(2026, 3, 1), by=self.treasurer)
        rate_decision = decision_passed(kind=K.FEE_RATE, by=self.chair, title="物业费调整为0.45元")
        rate = services.fee_rate_set(rate=Decimal("0.45"), effective_from=date(2026, 3, 1), by=self.treasurer,
                                     decision=rate_decision)
        self.assertEqual(rate.decision, rate_decision)
        self.assertEqual(FeeRate.objects.count(), 2)

    def test_the_budget_cites_a_budget_decision(self):
        greening = Account.objects.get(code="greening")
        with self.assertRaisesMessage(ValidationError, "The annual budget needs the owners' decision"):
            services.budget_set(year=2026, account=greening, amount=Decimal("3000.00"), by=self.chair)
        services.budget_set(year=2026, account=greening, amount=Decimal("3000.00"), by=self.chair,
                            decision=self.budget_decision)
        self.assertEqual(Budget.objects.get().decision, self.budget_decision)

    def test_an_expense_at_the_limit_cites_a_decision_and_one_fen_below_does_not(self):
        self.assertIsNone(self.expense("9999.99").decision)
        with self.assertRaisesMessage(ValidationError, "An expense of this size needs the owners' decision"):
            self.expense("10000.00")
        spending = decision_passed(kind=K.MAJOR_EXPENSE, by=self.chair, title="屋面防水工程")
        self.assertEqual(self.expense("10000.00", decision=spending).decision, spending)
        with override_settings(LEDGER_DECISION_LIMIT=Decimal("20000.00")):
            self.assertIsNone(self.expense("10000.00").decision)
        self.assertEqual(Expense.objects.count(), 3)

    def test_the_forms_refuse_with_the_message_and_write_nothing(self):
        self.login(self.treasurer)
        response = self.client.post(reverse("ledger:fund-new"), {"name": "充电棚", "idempotency_key": "f1"},
                                    follow=True)
        self.assertContains(response, "向业主筹集资金须有业主大会的决定")
        self.assertFalse(Fund.objects.exists())
        response = self.client.post(reverse("ledger:fund-new"), {"name": "充电棚", "idempotency_key": "f2",
                                                                 "decision": self.fund_decision.pk}, follow=True)
        self.assertContains(response, "专项资金已创建。")
        self.assertEqual(Fund.objects.get().decision, self.fund_decision)

    def test_the_notice_prints_the_decision_beside_the_fund_budget_and_large_expense(self):
        services.fund_create(name="电动车充电棚", by=self.chair, decision=self.fund_decision)
        services.budget_set(year=2026, account=Account.objects.get(code="greening"), amount=Decimal("3000.00"),
                            by=self.chair, decision=self.budget_decision)
        spending = decision_passed(kind=K.MAJOR_EXPENSE, by=self.chair, title="屋面防水工程")
        self.expense("12000.00", decision=spending)
        data = notice_data(JAN)
        self.assertEqual(data["decisions"], [
            {"kind": "fee_rate", "rate": "0.39", "from": "2025-01", "number": ""},
            {"kind": "fund", "name": "电动车充电棚", "number": self.fund_decision.number},
            {"kind": "budget", "year": 2026, "number": self.budget_decision.number},
            {"kind": "expense", "date": "2026-01-20", "payee": "华安建筑", "amount": "12000.00",
             "number": spending.number},
        ])
        self.login(self.resident)
        page = self.client.get(reverse("ledger:notice", kwargs={"month": "2026-01"}))
        self.assertContains(page, "九、相关的业主大会决定")
        self.assertContains(page, f"<td data-label=\"业主大会决定\">{spending.number}</td>", html=True)
        self.assertContains(page, "支出 2026-01-20 华安建筑 12,000.00")


@time_machine.travel(date(2026, 1, 25))
class QuoteCitationTest(RepairsTestCase):
    def test_choosing_a_large_quote_cites_the_decision_on_its_expense(self):
        decision = decision_passed(kind=K.MAJOR_EXPENSE, by=self.chair, title="消防主管维修")
        ticket = self.advance(self.common_ticket(), "accepted")
        quote = repairs_services.quote_add(ticket=ticket, by=self.member, contractor=self.firm,
                                           amount=Decimal("26000.00"))
        self.login(self.member)
        url = reverse("repairs:quote-choose", kwargs={"pk": ticket.pk})
        response = self.client.post(url, {"quote": quote.pk, "reason": "最便宜"}, follow=True)
        self.assertContains(response, "这样金额的支出须有业主大会的决定")
        self.assertIsNone(Ticket.objects.get(pk=ticket.pk).chosen_quote)
        self.client.post(url, {"quote": quote.pk, "reason": "最便宜", "decision": decision.pk})
        quote.refresh_from_db()
        self.assertEqual((quote.expense.amount, quote.expense.decision), (Decimal("26000.00"), decision))
