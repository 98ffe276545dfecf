"""The bank's and the cash box's part of the month close: registered with ledger.closing, so the month-close
page lists what keeps a month open and month_close refuses it (bank.services.month_close_blockers)."""

from django.urls import reverse

from bank.services import month_close_blockers
from ledger.closing import OpenItem, open_item_check


@open_item_check
def _bank_and_cash(month):
    url = reverse("bank:reconcile", kwargs={"month": f"{month:%Y-%m}"})
    for number, blocker in enumerate(month_close_blockers(month), start=1):
        yield OpenItem(f"reconciliation_{number}", blocker, 1, None, url, blocks=True)
