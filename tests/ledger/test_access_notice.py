from datetime import date

import time_machine

from ledger import services
from ledger.models import MonthlyNotice
from tests.access import Access, AccessTestCase
from tests.ledger.base import JAN, LedgerTestCase

ROLE_HOLDERS = ("chair", "member", "treasurer", "head1", "volunteer", "resident", "resident_b")


@time_machine.travel(date(2026, 2, 3))
class NoticeAccessTest(AccessTestCase, LedgerTestCase):
    def setUp(self):
        # In setUp, not setUpTestData: the stored PDF must land in this test's own media folder.
        super().setUp()
        services.month_bill(month=JAN, by=self.treasurer)
        services.month_close(month=JAN, by=self.chair)
        self.code = MonthlyNotice.objects.get().code

    rules = [
        Access("ledger:notices", ok=ROLE_HOLDERS, forbidden=("outsider",)),
        Access("ledger:notice", ok=ROLE_HOLDERS, forbidden=("outsider",), kwargs=lambda t: {"month": "2026-01"}),
        Access("ledger:notice-pdf", ok=ROLE_HOLDERS, forbidden=("outsider",), kwargs=lambda t: {"month": "2026-01"}),
        Access("notice-verify", ok=ROLE_HOLDERS + ("outsider",), public=True, kwargs=lambda t: {"code": t.code}),
        Access("ledger:head-verify", ok=ROLE_HOLDERS + ("outsider",), public=True),
    ]
