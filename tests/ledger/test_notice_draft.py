"""An open month's notice (the draft) is made once per state of every table it shows (ledger.notice.draft_data,
estate.cached): the page and the PDF after the first are a lookup, and the next request after any change, however
written, shows it."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language

from bank.models import CashCount
from estate import pdf
from ledger import services
from ledger.notice import notice_data
from tests.ledger.base import JAN, LedgerTestCase


@time_machine.travel(date(2026, 2, 3))
class DraftNoticeKeptTest(LedgerTestCase):
    def setUp(self):
        super().setUp()
        services.month_bill(month=JAN, by=self.treasurer)
        self.login(self.resident)

    def page(self):
        return self.client.get(reverse("ledger:notice", args=["2026-01"]))

    def test_the_draft_page_is_made_once_per_state(self):
        self.page()
        # session, person, the posted notice (none), the state, the kept snapshot
        with self.assertNumQueries(5):
            self.assertContains(self.page(), "1-1-301")

    def test_a_cash_count_written_behind_the_app_s_back_is_on_the_next_page(self):
        self.assertNotContains(self.page(), "12.34")
        CashCount.objects.bulk_create([CashCount(
            month=JAN, counted=Decimal("12.34"), books=Decimal("0"), counted_by=self.treasurer,
            confirmed_by=self.chair, confirmed_at=timezone.now())])
        self.assertContains(self.page(), "12.34")

    def test_the_draft_pdf_is_rendered_once_per_state(self):
        url = reverse("ledger:notice-pdf", args=["2026-01"])
        with mock.patch("ledger.notice.render_pdf", wraps=pdf.render_pdf) as render:
            first = self.client.get(url).content
            self.assertEqual(self.client.get(url).content, first)
            self.assertEqual(render.call_count, 1)
            self.pay("10.00")
            self.assertNotEqual(self.client.get(url).content, first)
            self.assertEqual(render.call_count, 2)

    def test_a_kept_draft_is_still_refused_to_whoever_may_not_read_the_accounts(self):
        self.page()
        self.client.get(reverse("ledger:notice-pdf", args=["2026-01"]))  # both kept now
        self.login(self.outsider)
        self.assertEqual(self.page().status_code, 403)
        self.assertEqual(self.client.get(reverse("ledger:notice-pdf", args=["2026-01"])).status_code, 403)
        # A month that cannot have a notice is not found, kept or not.
        self.login(self.resident)
        self.assertEqual(self.client.get(reverse("ledger:notice", args=["2026-13"])).status_code, 404)
        self.assertEqual(self.client.get(reverse("ledger:notice-pdf", args=["2099-01"])).status_code, 404)

    def test_the_notice_s_words_are_the_estate_s_whoever_asks(self):
        # A section's words (a key's purpose) are in the estate's language, as on the printed notice, and so the
        # same for every reader of the kept draft.
        section = SimpleNamespace(notice_data=lambda month: {"probe": get_language()}, VERSIONS=())
        with mock.patch("ledger.notice.notice_sections", return_value=(section,)), translation.override("en"):
            self.assertEqual(notice_data(JAN)["probe"], "zh-hans")
