"""A posted notice is fixed by its SHA-256: browsers may keep it and ask whether it changed (estate/caching.py)."""

from datetime import date

import time_machine
from django.urls import reverse

from ledger import services
from ledger.models import MonthlyNotice
from tests.ledger.base import JAN, LedgerTestCase


@time_machine.travel(date(2026, 2, 3))
class PostedNoticeCachingTest(LedgerTestCase):
    def setUp(self):
        super().setUp()
        services.month_bill(month=JAN, by=self.treasurer)

    def post_january(self):
        services.month_close(month=JAN, by=self.chair)
        return MonthlyNotice.objects.get(month=JAN)

    def test_the_verification_page_is_public_and_revalidated_by_its_digest(self):
        notice = self.post_january()
        url = reverse("notice-verify", args=[notice.code])
        first = self.client.get(url)
        self.assertEqual(first["Cache-Control"], "public, max-age=3600")
        self.assertEqual(first["ETag"], f'W/"{notice.sha256}-zh-hans"')
        again = self.client.get(url, headers={"if-none-match": first["ETag"]})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        # The English page is another representation, with its own tag.
        self.client.post(reverse("set_language"), {"language": "en"})
        english = self.client.get(url, headers={"if-none-match": first["ETag"]})
        self.assertEqual(english.status_code, 200)
        self.assertEqual(english["ETag"], f'W/"{notice.sha256}-en"')

    def test_the_posted_pdf_carries_its_digest_as_a_strong_etag(self):
        notice = self.post_january()
        self.login(self.resident)
        url = reverse("ledger:notice-pdf", args=["2026-01"])
        first = self.client.get(url)
        self.assertEqual(first["ETag"], f'"{notice.sha256}"')
        self.assertEqual(first["Cache-Control"], "private, max-age=3600")
        self.assertEqual(self.client.get(url, headers={"if-none-match": f'"{notice.sha256}"'}).status_code, 304)

    def test_a_draft_is_kept_nowhere(self):
        self.login(self.resident)
        response = self.client.get(reverse("ledger:notice-pdf", args=["2026-01"]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertNotIn("ETag", response)

    def test_the_digest_is_not_told_to_whoever_may_not_read_the_accounts(self):
        notice = self.post_january()
        self.login(self.outsider)
        response = self.client.get(reverse("ledger:notice-pdf", args=["2026-01"]),
                                   headers={"if-none-match": f'"{notice.sha256}"'})
        self.assertEqual(response.status_code, 403)
