"""Every page a person can reach by following links, in the demo estate, as each role that is not the
committee: no link leads to a refusal, and no whole phone number appears but the person's own. And
text typed with HTML in it shows as text wherever it appears.

Phone numbers are the committee's and their owner's (docs/ARCHITECTURE.md, "Personal information"); volunteers'
and contractors' numbers are the committee's only.
"""

from collections import Counter, deque
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urlsplit

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase
from django.urls import Resolver404, resolve, reverse

from accounts.models import User
from estate.models import Resident
from repairs.models import Contractor, Volunteer

PEOPLE = ("resident", "resident2", "head1", "head2", "volunteer", "volunteer2")
# Not pages of the estate (allauth's own, the language switch) or files rather than pages.
SKIPPED = ("/accounts/", "/i18n/", "/static/")
PER_PATTERN = 3  # a few of each kind of page: enough to see what one shows, the crawl stays quick


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def _links(html):
    parser = _Links()
    parser.feed(html)
    return parser.links


class PrivacyCrawlTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())
        cls.media_root = settings.MEDIA_ROOT  # where the demo's photos are (each test gets its own folder)

    def _allowed_phones(self, user):
        return {p for p in Resident.objects.filter(user=user).values_list("phone", flat=True) if p} | {
            p for p in Volunteer.objects.filter(user=user).values_list("phone", flat=True) if p}

    def _crawl(self, user, start=("/",)):
        self.client.force_login(user)
        seen, per_pattern = set(start), Counter()
        queue = deque(start)
        while queue:
            url = queue.popleft()
            response = self.client.get(url)
            if response.status_code == 302 and response["Location"].startswith(reverse("accounts:two-step")):
                continue  # money pages first ask whoever handles money to set up two-factor login
            self.assertEqual(response.status_code, 200, f"{user.username}: a link leads to {url}")
            if not response["Content-Type"].startswith("text/html"):
                continue
            for href in _links(response.content.decode()):
                href = urldefrag(href)[0]
                parts = urlsplit(href)
                if parts.scheme or parts.netloc or not parts.path.startswith("/") or href in seen:
                    continue
                if parts.path.startswith(SKIPPED) or parts.path.endswith(".pdf") or "/pdf/" in parts.path \
                        or "_export" in parts.query:
                    continue
                try:
                    pattern = resolve(parts.path).view_name
                except Resolver404:
                    continue
                seen.add(href)
                per_pattern[pattern] += 1
                if per_pattern[pattern] <= PER_PATTERN:
                    queue.append(href)
            yield url, response.content.decode()

    def test_no_page_shows_a_phone_number_but_ones_own(self):
        phones = ({p for p in Resident.objects.values_list("phone", flat=True) if p}
                  | {p for p in Volunteer.objects.values_list("phone", flat=True) if p}
                  | {p for p in Contractor.objects.values_list("phone", flat=True) if p})
        self.assertGreater(len(phones), 50)
        self.enterContext(self.settings(MEDIA_ROOT=self.media_root))
        for username in PEOPLE:
            user = User.objects.get(username=username)
            forbidden = phones - self._allowed_phones(user)
            crawled = 0
            for url, html in self._crawl(user):
                crawled += 1
                shown = {phone for phone in forbidden if phone in html}
                self.assertFalse(shown, f"{username} sees {shown} on {url}")
            self.assertGreater(crawled, 10, username)

    def test_no_link_the_committee_is_offered_leads_to_a_refusal(self):
        self.enterContext(self.settings(MEDIA_ROOT=self.media_root))
        for username in ("chair", "member", "treasurer"):
            self.assertGreater(sum(1 for _ in self._crawl(User.objects.get(username=username))), 40, username)

    def test_text_people_type_is_never_read_as_markup(self):
        """Names, descriptions, comments, notes typed with HTML in them show as text on every page."""
        from datetime import date
        from decimal import Decimal

        from django.utils import timezone

        from estate import notices as estate_notices
        from estate import services as estate
        from estate.models import Household
        from ledger import services as ledger
        from repairs import services as repairs
        from repairs.models import Ticket

        self.enterContext(self.settings(MEDIA_ROOT=self.media_root))
        evil = '<script>alert(1)</script><img src=x onerror=alert(2)>'
        chair, member = User.objects.get(username="chair"), User.objects.get(username="member")
        resident = User.objects.get(username="resident")
        household = Household.objects.get(pk=next(iter(resident.household_ids)))
        estate.household_update(household=household, notes=evil, by=member)
        estate.resident_create(household=household, name=f"钱{evil}"[:50], phone="", by=member)
        ticket = repairs.ticket_report(by=resident, category=Ticket.Category.OTHER, place=Ticket.Place.FLAT,
                                       household=household, spot=evil[:100], description=evil)
        repairs.ticket_comment(ticket=ticket, by=resident, comment=evil)
        contractor = repairs.contractor_save(by=member, name=f"公司{evil}"[:100], trade="other", phone="",
                                             notes=evil, is_active=True)
        from decisions.models import Decision
        from ledger import citations

        # The demo's fund decision (the e-bike shed) is the one a new fund raised from owners cites.
        fund_decision = next(d for d in Decision.objects.passed() if d.kind in citations.FUND)
        ledger.fund_create(name=f"基金{evil}"[:80], purpose=evil, by=chair, decision=fund_decision)
        ledger.income_record(kind="other_income", date=timezone.localdate(), source=evil[:100], period=evil[:50],
                             amount=Decimal("1.00"), method="cash", by=chair)
        expense = ledger.expense_record(date=timezone.localdate(), category="office", payee=evil[:100],
                                        amount=Decimal("2.00"), description=evil, by=member, fund=None)
        notice = estate_notices.notice_save(title=evil[:100], body=evil, notice_date=date.today(),
                                            signature=evil[:100], by=member)
        estate_notices.notice_post(notice=notice, by=member)
        pages = {
            member: [f"/households/{household.pk}/", ticket.get_absolute_url(), f"/ledger/expenses/{expense.pk}/",
                     "/ledger/funds/", "/ledger/accounts/", "/ledger/journal/", "/repairs/talent/",
                     f"/repairs/talent/contractors/{contractor.pk}/", notice.get_absolute_url(), "/users/activity/",
                     "/residents/", "/households/"],
            resident: [ticket.get_absolute_url(), "/ledger/accounts/", notice.get_absolute_url(), "/notices/",
                       f"/households/{household.pk}/", "/repairs/"],
        }
        for user, start in pages.items():
            escaped = 0
            for url, html in self._crawl(user, start=tuple(start)):
                self.assertNotIn("<script>alert", html, f"{user.username} on {url}")
                self.assertNotIn("<img src=x", html, f"{user.username} on {url}")
                escaped += "&lt;script&gt;alert(1)" in html
            self.assertGreaterEqual(escaped, len(start) - 2, user.username)
