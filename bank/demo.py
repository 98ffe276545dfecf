"""The demo's reconciled month: the bank's statement imported and matched, the cash counted by two people."""

from decimal import Decimal

from accounts.models import User
from bank import services
from bank.models import Explanation
from ledger.demo import last_closed_month
from ledger.models import Account, Entry, add_months

INTEREST = Decimal("1.23")


def seed(*, out):
    """Seeded after every other app's history and before the ledger's demo closes the months (estate's
    seed_demo), so the statement holds every bank posting of the last month closed."""
    reconcile(last_closed_month(), out=out)


def reconcile(month, *, out):
    """Import a statement for `month` as 工商银行 would export it: every bank posting of the month, plus the
    quarter's interest the books do not have yet, explained in writing; count the cash box."""
    treasurer, chair = User.objects.get(username="treasurer"), User.objects.get(username="chair")
    services.mapping_save(by=treasurer, bank="工商银行", date_column="交易日期", in_column="收入金额",
                          out_column="支出金额", reference_column="交易流水号", counterparty_column="对方户名",
                          balance_column="账户余额")
    balance = services.books_balance(add_months(month, -1), Account.BANK)
    rows = ["户名：幸福家园小区业主委员会", "交易日期,收入金额,支出金额,交易流水号,对方户名,账户余额"]
    entries = (Entry.objects.filter(account__code=Account.BANK, transaction__date__gte=month,
                                    transaction__date__lt=add_months(month, 1))
               .select_related("transaction", "transaction__payment").order_by("transaction__date", "transaction__seq"))
    for entry in entries:
        balance += entry.amount
        payment = getattr(entry.transaction, "payment", None)
        reference = payment.reference if payment is not None and payment.reference else f"JY{entry.transaction.seq:06d}"
        money_in, money_out = (entry.amount, "") if entry.amount > 0 else ("", -entry.amount)
        rows.append(f"{entry.transaction.date:%Y-%m-%d},{money_in},{money_out},{reference},,{balance:.2f}")
    last_day = add_months(month, 1).toordinal() - 1
    from datetime import date

    balance += INTEREST
    rows.append(f"{date.fromordinal(last_day):%Y-%m-%d},{INTEREST},,INT{month:%Y%m},工商银行,{balance:.2f}")
    services.statement_import(month=month, bank="工商银行", data="\n".join(rows).encode("gb18030"),
                              original_name=f"工商银行对账单-{month:%Y-%m}.csv", by=treasurer)
    services.explanation_write(month=month, kind=Explanation.Kind.BANK, by=treasurer,
                               text=f"银行季度结息 {INTEREST} 元，尚未入账，下月登记为其他收入。")
    count = services.cash_count(month=month, counted=services.books_balance(month, Account.CASH), by=treasurer)
    services.cash_count_confirm(count=count, by=chair)
    out.write(f"Bank: {month:%Y-%m} reconciled with the bank's statement, the cash box counted.")
