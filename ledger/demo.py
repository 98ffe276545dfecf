"""The demo estate's money: six months of fees, income, spending and the charging-shed fund.

Everything goes through ledger.services, as the committee's own clicks would,
so check_ledger holds on the result. Dates are counted back from today: the
months before last are closed, last month is left for the committee to close.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from estate.models import Household
from ledger import services
from ledger.models import Account, Method, add_months

MONTHS = 6
RATE = Decimal("0.39")
# Households that have not paid for months: the arrears on the notice (about 9 % of the fees).
NEVER_PAID = {"1-2-602", "2-1-302", "2-2-401", "1-1-501", "2-2-202"}
# Payees who are private people: their names are masked wherever the public reads the accounts.
PEOPLE = {"杨桂兰", "郑国庆", "何建军", "赵德明", "周立平", "钱学文"}
# Households that pay a month or two late.
LATE = {"2-1-502", "1-2-201"}
# One owner pays a whole year ahead.
YEAR_AHEAD = "1-2-301"

MONTHLY_EXPENSES = [
    # (category, payee, amount, description, method)
    ("cleaning", "杨桂兰", Decimal("600.00"), "保洁员：楼道和公共区域保洁（月度劳务）", Method.CASH),
    ("security", "郑国庆", Decimal("400.00"), "门卫：夜间值守补贴", Method.BANK),
    ("utilities", "国网电力", Decimal("186.40"), "公共照明电费", Method.BANK),
    ("utilities", "自来水公司", Decimal("72.60"), "公共区域用水", Method.BANK),
    ("remuneration", "财务及楼栋长", Decimal("150.00"), "记账与收费误工补贴", Method.BANK),
]
OCCASIONAL_EXPENSES = {
    # months ago → expenses
    5: [("greening", "何建军", Decimal("320.00"), "绿化：春季修剪、补种黄杨", Method.BANK)],
    4: [("repairs", "赵德明", Decimal("855.00"), "电工：更换损坏路灯 19 盏（每盏 45.00 元，含灯具和人工）",
         Method.BANK)],
    3: [("office", "文具店", Decimal("68.50"), "公告打印纸、收据本", Method.CASH)],
    2: [("activities", "社区活动", Decimal("260.00"), "重阳节慰问老人", Method.BANK),
        ("repairs", "周立平", Decimal("480.00"), "管道工：2栋雨水管疏通更换", Method.BANK)],
    1: [("greening", "何建军", Decimal("180.00"), "绿化：草坪修整", Method.BANK)],
}
BUDGET = {
    "cleaning": Decimal("7200.00"), "security": Decimal("4800.00"), "greening": Decimal("1200.00"),
    "repairs": Decimal("3000.00"), "utilities": Decimal("3200.00"), "remuneration": Decimal("1800.00"),
    "office": Decimal("300.00"), "activities": Decimal("800.00"), "other_expense": Decimal("500.00"),
}


def seed(*, out):
    rng = random.Random(20260301)
    users = {u.username: u for u in User.objects.filter(username__in=["chair", "member", "treasurer", "head1",
                                                                      "head2"])}
    chair, member, treasurer = users["chair"], users["member"], users["treasurer"]
    heads = {"1": users["head1"], "2": users["head2"]}
    households = list(Household.objects.select_related("building").order_by("code"))
    today = timezone.localdate()
    this_month = today.replace(day=1)
    first = add_months(this_month, -MONTHS)
    services.fee_rate_set(rate=RATE, effective_from=add_months(first, -24), note="业主大会决议：每平方米每月 0.39 元",
                          by=chair)

    fund = services.fund_create(name="电动车充电棚", purpose="在2栋北侧建电动车集中充电棚，杜绝飞线充电。",
                                target=Decimal("20000.00"), by=chair)
    for number, amount in enumerate((Decimal("8600.00"), Decimal("7400.00"), Decimal("4000.00")), start=1):
        services.income_record(kind=Account.FUNDS, fund=fund, date=first + timedelta(days=3 + number * 7),
                               source=f"业主自愿集资（第{number}批）", amount=amount, method=Method.BANK,
                               by=treasurer)

    # The year's budget is agreed before the months it covers close, so each month's notice shows it.
    for year in sorted({add_months(this_month, -n).year for n in range(MONTHS + 1)}):
        for code, amount in BUDGET.items():
            services.budget_set(year=year, account=Account.objects.get(code=code), amount=amount, by=chair)
    for months_ago in range(MONTHS, -1, -1):
        month = add_months(this_month, -months_ago)
        services.month_bill(month=month, by=treasurer)
        _collect(month, months_ago, households, rng, treasurer, heads, today)
        _income(month, months_ago, rng, treasurer, today)
        _spend(month, months_ago, chair, member, treasurer, today)
        if months_ago == 3:
            _build_shed(fund, month, chair, member, treasurer)
    _waiting_for_approval(today, member, treasurer)
    out.write(f"Ledger: {MONTHS + 1} months billed at {RATE}/m² (1755.00 a month), fees, income, expenses, "
              f"the charging-shed fund.")


def _day(month, day, today):
    """A day in `month`, never after today."""
    return min(month + timedelta(days=day - 1), today)


def _collect(month, months_ago, households, rng, treasurer, heads, today):
    for household in households:
        if household.code in NEVER_PAID:
            continue
        if household.code == YEAR_AHEAD:
            if months_ago == MONTHS:
                _pay(household, services.monthly_fee(household.area, RATE) * 12, Method.BANK, month, 6, treasurer,
                     today)
            continue
        if household.code in LATE:
            if months_ago % 2 == 0 and months_ago != MONTHS:  # pays the last two months together
                _pay(household, services.monthly_fee(household.area, RATE) * 2, Method.WECHAT, month, 20,
                     treasurer, today)
            continue
        if months_ago == 0 and rng.random() < 0.45:
            continue  # this month is not over: not everybody has paid yet
        method = rng.choices([Method.WECHAT, Method.CASH, Method.BANK, Method.ALIPAY], weights=[50, 30, 12, 8])[0]
        by = treasurer
        if method == Method.CASH and rng.random() < 0.5:
            by = heads[household.building.code]  # collected door to door by the building head
        payment = _pay(household, services.monthly_fee(household.area, RATE), method, month, rng.randint(3, 18), by,
                       today)
        if payment.needs_handover and (months_ago > 0 or rng.random() < 0.5):
            services.handover_confirm(payment=payment, by=treasurer, date=_day(month, 25, today))
    if months_ago == 4:
        # A payment booked to the wrong flat, reversed the same day: its receipt number stays, void.
        wrong = _pay(households[0], Decimal("33.54"), Method.CASH, month, 21, treasurer, today, key="wrong")
        services.payment_reverse(payment=wrong, reason="记错房号，应为 2-1-101", by=treasurer,
                                 date=_day(month, 21, today))


def _pay(household, amount, method, month, day, by, today, key=""):
    payment, _ = services.payment_record(
        household=household, amount=amount, method=method, by=by, date=_day(month, day, today),
        reference=f"{month:%Y%m}{household.pk:04d}" if method == Method.BANK else "",
        idempotency_key=f"demo-{month:%Y-%m}-{household.code}-{key}",
        payer_name=_payer(household),
    )
    return payment


def _payer(household):
    """Whoever of the household pays: the first resident on the register, as a receipt names them."""
    return household.residents.order_by("pk").values_list("name", flat=True).first() or ""


def _income(month, months_ago, rng, treasurer, today):
    services.income_record(kind="parking", date=_day(month, 5, today), source="月租车位 12 个 × 50 元",
                           period=f"{month:%Y-%m}", amount=Decimal("600.00"), method=Method.BANK, by=treasurer)
    services.income_record(kind="parking", date=_day(month, 28, today), source="临时停车",
                           amount=Decimal(rng.randrange(120, 260)).quantize(Decimal("0.01")), method=Method.CASH,
                           by=treasurer)
    services.income_record(kind="charging", date=_day(month, 10, today), source="充电桩运营商分成",
                           period=f"{add_months(month, -1):%Y-%m}",
                           amount=Decimal(rng.randrange(21000, 32000)) / 100, method=Method.BANK, by=treasurer)
    services.income_record(kind="lockers", date=_day(month, 12, today), source="快递柜场地费",
                           period=f"{month:%Y-%m}", amount=Decimal("100.00"), method=Method.BANK, by=treasurer)
    if months_ago % 3 == 0:
        services.income_record(kind="advertising", date=_day(month, 8, today), source="宣传栏广告位（季度）",
                               period=f"{month:%Y-%m} 起三个月", amount=Decimal("900.00"), method=Method.BANK,
                               by=treasurer)


def _spend(month, months_ago, chair, member, treasurer, today):
    for number, (category, payee, amount, description, method) in enumerate(
            MONTHLY_EXPENSES + OCCASIONAL_EXPENSES.get(months_ago, [])):
        day = _day(month, 24 + number % 4, today)
        if months_ago == 0 and day >= today:
            continue
        _expense(category, payee, amount, description, method, day, chair, member, treasurer)


def _expense(category, payee, amount, description, method, day, chair, member, treasurer, fund=None):
    expense = services.expense_record(date=day, category=category, payee=payee, amount=amount,
                                      payee_is_person=payee in PEOPLE, description=description, by=treasurer,
                                      fund=fund)
    for approver in (chair, member)[: services.approval_required_count(amount)]:
        services.expense_approve(expense=expense, by=approver)
    services.expense_pay(expense=expense, method=method, date=day, by=treasurer)
    return expense


def _build_shed(fund, month, chair, member, treasurer):
    _expense("repairs", "鑫达钢结构加工部", Decimal("9800.00"), "充电棚钢结构及雨棚（按合同首付与尾款）",
             Method.BANK, month + timedelta(days=14), chair, member, treasurer, fund=fund)
    _expense("repairs", "赵德明", Decimal("3260.00"), "电工：充电棚线路、漏电保护和 16 个充电插座",
             Method.BANK, month + timedelta(days=20), chair, member, treasurer, fund=fund)


def _waiting_for_approval(today, member, treasurer):
    """Two expenses the committee has yet to approve, so the approvals page has something on it."""
    painting = services.expense_record(date=today, category="repairs", payee="钱学文", payee_is_person=True,
                                       amount=Decimal("1280.00"), description="粉刷工：1栋1单元楼道墙面粉刷",
                                       by=treasurer)
    services.expense_approve(expense=painting, by=member)
    services.expense_record(date=today, category="office", payee="文具店", amount=Decimal("45.00"),
                            description="公告栏图钉、胶带", by=treasurer)


def finish(*, out):
    """Close the months up to two months ago, once every part of the demo has written its history:
    closing posts each month's notice, which then lists the repairs and key hand-overs of the month."""
    chair = User.objects.get(username="chair")
    this_month = timezone.localdate().replace(day=1)
    for months_ago in range(MONTHS, 1, -1):
        services.month_close(month=add_months(this_month, -months_ago), by=chair)
    out.write(f"Ledger: months up to {last_closed_month():%Y-%m} closed, their notices posted.")


def last_closed_month():
    """The last month the demo closes (bank/demo.py reconciles it with the bank's statement before)."""
    return add_months(timezone.localdate().replace(day=1), -2)
