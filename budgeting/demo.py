"""Next year's budget in the demo estate, open for residents' comments (every step through budgeting.services).

Published five days ago for fifteen days; residents commented on the lines, and the committee's second revision
answers them (more for repairs, the greening line cut, a line added for the e-bike shed's electricity).
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from budgeting import services
from decisions.services import clock
from ledger.models import Account

DRAFT = {
    "cleaning": (Decimal("7200.00"), "兼职保洁员一名，每月600元"),
    "security": (Decimal("4800.00"), "夜间巡逻志愿者补贴及门禁维护"),
    "greening": (Decimal("2400.00"), "草坪修剪与补种，每季度一次"),
    "repairs": (Decimal("4000.00"), "公共部位零星维修"),
    "utilities": (Decimal("3200.00"), "楼道照明与水泵电费"),
    "remuneration": (Decimal("1800.00"), "会计记账劳务"),
    "office": (Decimal("300.00"), "打印公示与表决票"),
    "activities": (Decimal("800.00"), "重阳节敬老活动"),
}


def seed(*, out):
    users = {user.username: user for user in User.objects.all()}
    chair, member = users["chair"], users["member"]
    resident, resident2 = users["resident"], users["resident2"]
    accounts = {account.code: account for account in Account.objects.filter(kind=Account.Kind.EXPENSE)}
    draft = [(accounts[code], amount, text) for code, (amount, text) in DRAFT.items() if code in accounts]
    year = timezone.localdate().year + 1
    published = timezone.now() - timedelta(days=5)
    with clock(published - timedelta(days=2)):
        plan = services.plan_create(
            year=year,
            by=chair,
            intro=(
                "明年预计收入：物业费约21,060元（每月1,755元），停车、广告等公共收益约4,000元。"
                "以下是业委会拟定的开支预算，请大家逐项提意见。"
            ),
        )
        services.draft_save(plan=plan, intro=plan.intro, lines=draft, by=chair)
    with clock(published):
        plan = services.plan_publish(
            plan=plan, comments_end=timezone.localdate(published) + timedelta(days=15), by=chair
        )
    repairs, greening = accounts["repairs"], accounts["greening"]
    with clock(published + timedelta(days=1, hours=3)):
        services.comment_add(
            plan=plan, by=resident, account=repairs, body="楼道扶手和单元门经常坏，4000元不够，建议多留一些。"
        )
    with clock(published + timedelta(days=2, hours=5)):
        services.comment_add(
            plan=plan, by=resident2, account=greening, body="草坪一年修两次就够了，省下的钱用在维修上。"
        )
    with clock(published + timedelta(days=2, hours=9)):
        services.comment_add(plan=plan, by=resident2, body="电动车棚建好后电费由谁出？预算里没看到。")
    with clock(published + timedelta(days=3)):
        changed = {
            "repairs": (Decimal("5200.00"), "公共部位零星维修，如楼道扶手、单元门"),
            "greening": (Decimal("1200.00"), "草坪修剪与补种，每半年一次"),
        }
        lines = [(account, *changed.get(account.code, (amount, text))) for account, amount, text in draft]
        if "other_expense" in accounts:
            lines.append((accounts["other_expense"], Decimal("600.00"), "电动车棚公共照明电费，充电费由使用者扫码支付"))
        services.plan_revise(
            plan=plan,
            lines=lines,
            by=member,
            note="采纳意见：维修增加1,200元；绿化改为每半年修剪一次，减少1,200元；新增电动车棚照明电费600元。",
        )
    with clock(published + timedelta(days=4)):
        services.comment_add(plan=plan, by=resident, body="第2稿很好，谢谢业委会。")
    out.write(f"Budget {year}: draft published for comments, three comments, a revision answering them.\n")
