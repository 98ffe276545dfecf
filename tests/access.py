"""Who gets what from every URL, declared once per app and checked for every persona.

Each app's tests/<app>/test_access*.py declares `Access` rows in an
`AccessTestCase`; tests/test_every_url_has_access_rules.py fails when a URL
pattern has no row. A row must say what every persona gets: that is the point.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse

from tests.base import BaseTestCase, Personas

EVERYONE = Personas.PERSONAS
COMMITTEE = ("chair", "member", "treasurer")
NOT_COMMITTEE = ("head1", "volunteer", "resident", "resident_b", "outsider")
# Content fixed by a SHA-256, which browsers may keep and revalidate (estate/caching.py).
CACHEABLE_BY_HASH = ("ledger:notice-pdf", "notice-verify")


@dataclass(frozen=True)
class Access:
    url_name: str
    ok: tuple = ()  # 200 (or, for a POST, any answer but 403/404/500)
    forbidden: tuple = ()  # 403
    hidden: tuple = ()  # 404
    kwargs: Callable = field(default=lambda t: {})  # the test case -> URL kwargs
    data: Callable = field(default=lambda t: {})  # the test case -> POST data
    method: str = "get"
    public: bool = False  # the anonymous visitor is served too (else: sent to login)

    def answers(self):
        for names, expected in ((self.ok, "ok"), (self.forbidden, 403), (self.hidden, 404)):
            for name in names:
                yield name, expected


class AccessTestCase(BaseTestCase):
    rules: list[Access] = []

    def _request(self, rule):
        url = reverse(rule.url_name, kwargs=rule.kwargs(self))
        if rule.method == "post":
            return self.client.post(url, rule.data(self))
        return self.client.get(url)

    def test_every_persona_gets_what_the_rules_say(self):
        for rule in self.rules:
            named = {name for name, _ in rule.answers()}
            self.assertEqual(named, set(EVERYONE), f"{rule.url_name}: say what every persona gets")
            for persona, expected in rule.answers():
                with self.subTest(url=rule.url_name, persona=persona), transaction.atomic():
                    self.client.logout()
                    self.login(getattr(self, persona))
                    response = self._request(rule)
                    if expected == "ok":
                        if rule.method == "get":
                            self.assertEqual(response.status_code, 200)
                        else:
                            self.assertNotIn(response.status_code, (403, 404, 500))
                    else:
                        self.assertEqual(response.status_code, expected)
                    self.assertKeptPrivate(rule, response)
                    transaction.set_rollback(True)

    def assertKeptPrivate(self, rule, response):
        """A signed-in person's page or file stays in no cache (estate/caching.py); only a posted notice,
        fixed by its SHA-256, may be kept, and then under an ETag of that digest."""
        if rule.url_name in CACHEABLE_BY_HASH and response.has_header("ETag"):
            self.assertIn("max-age=", response["Cache-Control"])
        else:
            directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
            self.assertLessEqual({"private", "no-store"}, directives, rule.url_name)

    def test_a_get_changes_nothing(self):
        """What a POST does, a GET of the same address (a link, a prefetching browser) never does."""
        from accounts.models import ActivityRecord

        for rule in self.rules:
            if rule.method != "post":
                continue
            for persona in rule.ok:
                with self.subTest(url=rule.url_name, persona=persona), transaction.atomic():
                    self.client.logout()
                    self.login(getattr(self, persona))
                    before = ActivityRecord.objects.count()
                    response = self.client.get(reverse(rule.url_name, kwargs=rule.kwargs(self)))
                    self.assertIn(response.status_code, (200, 302, 405))
                    self.assertEqual(ActivityRecord.objects.count(), before)
                    transaction.set_rollback(True)

    def test_the_anonymous_visitor_is_sent_to_login(self):
        for rule in self.rules:
            with self.subTest(url=rule.url_name), transaction.atomic():
                self.client.logout()
                response = self._request(rule)
                if rule.public:
                    self.assertNotIn(response.status_code, (403, 404, 500))
                    self.assertNotIn(reverse("account_login"), response.get("Location", ""))
                else:
                    self.assertEqual(response.status_code, 302)
                    self.assertIn(reverse("account_login"), response["Location"])
                transaction.set_rollback(True)
