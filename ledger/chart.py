"""The chart of accounts the estate starts with (names may be edited later, codes never)."""

# (code, name, kind) in the order of reports. The chart is data, so names are stored as the
# committee reads them, in Chinese; the committee may rename them.
CHART = [
    ("cash", "库存现金", "asset"),
    ("bank", "银行及微信/支付宝", "asset"),
    ("held_by_heads", "楼栋长代收未交", "asset"),
    ("receivable", "应收物业费", "asset"),
    ("funds", "专项资金", "fund"),
    ("fee_income", "物业费", "income"),
    ("parking", "停车费", "income"),
    ("advertising", "广告费", "income"),
    ("charging", "充电桩", "income"),
    ("lockers", "快递柜", "income"),
    ("other_income", "其他收入", "income"),
    ("cleaning", "保洁", "expense"),
    ("security", "安保", "expense"),
    ("greening", "绿化", "expense"),
    ("repairs", "维修", "expense"),
    ("utilities", "公共水电", "expense"),
    ("remuneration", "劳务报酬", "expense"),
    ("office", "办公", "expense"),
    ("activities", "社区活动", "expense"),
    ("other_expense", "其他支出", "expense"),
]


def create_chart(Account, ChainHead):
    """Create what is missing of the chart and the hash chain's head row; safe to run twice.

    Takes the model classes so that the data migration can pass its historical models.
    """
    for position, (code, name, kind) in enumerate(CHART):
        Account.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "position": position})
    ChainHead.objects.get_or_create(pk=1)
