from datetime import date
from decimal import Decimal

import time_machine

from ledger import reports, services
from ledger.models import Account, Budget
from tests.ledger.base import FEB, JAN, LedgerTestCase


@time_machine.travel(date(2026, 4, 10))
class MonthReportTest(LedgerTestCase):
    """January and February of the test estate: 101.99 billed each month."""

    def setUp(self):
        super().setUp()
        fund = services.fund_create(name="充电棚", target=Decimal("20000.00"), by=self.chair)
        services.income_record(kind="funds", fund=fund, date=date(2026, 1, 3), source="业主集资",
                               amount=Decimal("5000.00"), method="bank", by=self.treasurer)
        self.bill(JAN)
        self.pay("39.59", day=date(2026, 1, 10))
        self.pay("28.86", household=self.household_a2, method="wechat", day=date(2026, 1, 12))
        services.income_record(kind="parking", date=date(2026, 1, 20), source="临时停车", period="2026-01",
                               amount=Decimal("300.00"), method="cash", by=self.treasurer)
        services.expense_pay(expense=self.approved_expense("120.00"), method="cash", by=self.treasurer,
                             date=date(2026, 1, 25))
        shed = self.approved_expense("3000.00", category="repairs", fund=fund)
        services.expense_pay(expense=shed, method="bank", by=self.treasurer, date=date(2026, 1, 28))
        Budget.objects.create(year=2026, account=Account.objects.get(code="cleaning"), amount=Decimal("1200.00"))
        services.month_close(month=JAN, by=self.chair)
        self.bill(FEB)
        self.pay("33.54", household=self.household_b, day=date(2026, 2, 3))  # January's arrears, paid late

    def test_januarys_figures(self):
        report = reports.month_report(2026, 1)
        self.assertEqual(report.opening, {"cash": Decimal("0.00"), "bank": Decimal("0.00"),
                                          "held_by_heads": Decimal("0.00"), "funds": {"充电棚": Decimal("0.00")}})
        self.assertEqual(report.closing, {"cash": Decimal("219.59"), "bank": Decimal("2028.86"),
                                          "held_by_heads": Decimal("0.00"), "funds": {"充电棚": Decimal("2000.00")}})
        self.assertEqual((report.billed, report.collected, report.received),
                         (Decimal("101.99"), Decimal("68.45"), Decimal("68.45")))
        self.assertEqual(report.collection_rate, Decimal("67.1"))
        self.assertEqual((report.households_paid, report.households_billed), (2, 3))
        self.assertEqual(report.income_by_kind, [{"code": "parking", "name": "停车费", "amount": Decimal("300.00")}])
        self.assertEqual([(e["payee"], e["amount"], e["approvers"]) for e in report.expenses],
                         [("保洁公司", Decimal("120.00"), ["王主任"]),
                          ("保洁公司", Decimal("3000.00"), ["王主任", "李委员"])])
        self.assertEqual(report.expense_total, Decimal("3120.00"))
        self.assertEqual([(f["raised"], f["spent"], f["remaining"]) for f in report.funds],
                         [(Decimal("5000.00"), Decimal("3000.00"), Decimal("2000.00"))])
        cleaning = next(row for row in report.budget if row["account"].code == "cleaning")
        self.assertEqual((cleaning["budget"], cleaning["actual"], cleaning["used"]),
                         (Decimal("1200.00"), Decimal("120.00"), Decimal("10.0")))
        self.assertEqual(report.arrears, [{"code": "2-1-101", "owed": Decimal("33.54"), "open_months": 1}])
        self.assertTrue(report.closed)
        self.assertEqual(report.head_seq, 7)

    def test_februarys_figures_count_late_payments_toward_january_in_the_year(self):
        report = reports.month_report(2026, 2)
        self.assertEqual((report.billed, report.collected, report.received),
                         (Decimal("101.99"), Decimal("0.00"), Decimal("33.54")))
        self.assertEqual(report.collection_rate, Decimal("0.0"))
        self.assertEqual((report.year_to_date.billed, report.year_to_date.collected),
                         (Decimal("203.98"), Decimal("101.99")))
        self.assertEqual(report.year_to_date.rate, Decimal("50.0"))
        self.assertEqual(report.opening["cash"], Decimal("219.59"))
        self.assertEqual(len(report.arrears), 3)
        self.assertFalse(report.closed)

    def test_the_collection_rate_of_a_month_grows_as_its_arrears_are_paid(self):
        self.assertEqual(reports.collection(JAN).rate, Decimal("100.0"))
        self.assertEqual(reports.collection(JAN, until=date(2026, 1, 31)).rate, Decimal("67.1"))

    def test_arrears_list_households_by_amount_with_their_open_months(self):
        rows = reports.arrears()
        self.assertEqual([(r.code, r.owed, r.open_months, r.oldest) for r in rows],
                         [("1-1-301", Decimal("39.59"), 1, FEB), ("2-1-101", Decimal("33.54"), 1, FEB),
                          ("1-1-302", Decimal("28.86"), 1, FEB)])


def test_a_percentage_is_rounded_half_up_as_the_committee_rounds_by_hand():
    # 49 of 400 households is 12.25 %: 四舍五入 gives 12.3, banker's rounding (Decimal's default) 12.2.
    assert reports.percent(Decimal("49"), Decimal("400")) == Decimal("12.3")
    assert reports.percent(Decimal("1"), Decimal("3")) == Decimal("33.3")
    assert reports.percent(Decimal("0"), Decimal("0")) is None
