from datetime import date
from decimal import Decimal

import time_machine

from bank import services
from estate.uploads import PreparedFile
from tests.access import COMMITTEE, NOT_COMMITTEE, Access, AccessTestCase
from tests.ledger.base import JAN, LedgerTestCase

MONTH = {"month": "2026-01"}


@time_machine.travel(date(2026, 2, 10))
class BankAccessTest(AccessTestCase, LedgerTestCase):
    def setUp(self):
        # In setUp: the stored photo must land in this test's own media folder.
        super().setUp()
        photo = PreparedFile(b"%PDF-1.4 statement", "pdf", "application/pdf", "statement.pdf")
        self.statement = services.statement_enter(month=JAN, bank="工商银行", closing_balance=Decimal("0.00"),
                                                  photo=photo, by=self.treasurer)

    rules = [
        # Sends the committee on to last month's page (a redirect; hence POST here, where any answer but
        # 403/404/500 counts).
        Access("bank:latest", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post"),
        Access("bank:reconcile", ok=COMMITTEE, forbidden=NOT_COMMITTEE, kwargs=lambda t: MONTH),
        Access("bank:mapping-save", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post", kwargs=lambda t: MONTH),
        Access("bank:statement-import", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post", kwargs=lambda t: MONTH),
        Access("bank:statement-enter", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post", kwargs=lambda t: MONTH),
        Access("bank:explanation-new", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post", kwargs=lambda t: MONTH),
        Access("bank:cash-count", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post", kwargs=lambda t: MONTH),
        Access("bank:cash-confirm", ok=(), forbidden=NOT_COMMITTEE, hidden=COMMITTEE, method="post",
               kwargs=lambda t: MONTH),
        Access("bank:statement-file", ok=COMMITTEE, forbidden=NOT_COMMITTEE,
               kwargs=lambda t: {"pk": t.statement.pk}),
    ]
