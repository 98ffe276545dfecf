import re

from django.core.cache import caches
from django.urls import reverse

from accounts import services
from accounts.models import Role
from tests.base import BaseTestCase

DASHBOARD = reverse("estate:dashboard")


def link(name):
    return f'href="{reverse(name)}"'


class MenuTest(BaseTestCase):
    """The menu is rendered once per language, page and kinds of role (the "fragments" cache), so each
    of these reads it after other people's menus have been kept."""

    def setUp(self):
        caches["fragments"].clear()

    def menu(self, user, url=DASHBOARD):
        self.login(user)
        page = self.client.get(url).content.decode()
        found = re.search(r'<nav class="site-nav.*?</nav>', page, re.S)
        self.assertIsNotNone(found, "no menu")
        return found.group()

    def test_each_kind_of_user_gets_their_own_menu(self):
        # Twice round: the second time every menu comes from the cache.
        for _ in range(2):
            committee = self.menu(self.member)
            self.assertIn("财务", committee)
            self.assertIn(link("ledger:journal"), committee)
            self.assertIn(link("accounts:user-list"), committee)
            resident = self.menu(self.resident)
            self.assertIn("我家账单", resident)
            self.assertIn(link("keys:mine"), resident)
            for theirs in ("财务", link("ledger:journal"), link("accounts:user-list"), link("keys:index")):
                self.assertNotIn(theirs, resident)
            head = self.menu(self.head1)
            self.assertIn(link("estate:household-list"), head)
            self.assertIn(link("ledger:arrears"), head)
            self.assertNotIn(link("ledger:journal"), head)
            volunteer = self.menu(self.volunteer)
            self.assertIn(link("keys:index"), volunteer)
            self.assertNotIn("我家账单", volunteer)
            # The outsider holds no role: nothing but the home page.
            self.assertNotIn(link("ledger:public"), self.menu(self.outsider))
            # Two-factor login is for those who handle money (committee, building heads); nobody else is offered it.
            self.assertIn(link("mfa_index"), committee)
            self.assertIn(link("mfa_index"), head)
            for user in (self.resident, self.volunteer, self.outsider):
                self.assertNotIn(link("mfa_index"), self.menu(user))

    def test_it_marks_the_page_you_are_on(self):
        for name in ("ledger:journal", "ledger:arrears", "ledger:journal"):
            with self.subTest(page=name):
                menu = self.menu(self.treasurer, reverse(name))
                self.assertEqual(re.findall(r'href="([^"]+)" aria-current="page"', menu), [reverse(name)])

    def test_it_speaks_the_language_chosen(self):
        self.assertIn("我家账单", self.menu(self.resident))
        self.client.post(reverse("set_language"), {"language": "en", "next": DASHBOARD})
        english = self.menu(self.resident)
        self.assertIn("My bills", english)
        self.assertNotIn("我家账单", english)
        self.client.post(reverse("set_language"), {"language": "zh-hans", "next": DASHBOARD})
        self.assertIn("我家账单", self.menu(self.resident))

    def test_a_new_role_shows_at_once_and_a_withdrawn_one_goes(self):
        self.assertNotIn(link("keys:index"), self.menu(self.resident))
        role = services.role_grant(user=self.resident, kind=Role.Kind.VOLUNTEER, by=self.chair)
        self.assertIn(link("keys:index"), self.menu(self.resident))
        services.role_withdraw(role=role, by=self.chair)
        self.assertNotIn(link("keys:index"), self.menu(self.resident))


class FaviconTest(BaseTestCase):
    def test_every_page_names_the_estates_icon_and_it_is_served(self):
        from django.contrib.staticfiles import finders

        page = self.client.get(reverse("account_login")).content.decode()
        self.assertIn('<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">', page)
        self.assertIn("<svg", open(finders.find("favicon.svg")).read())
