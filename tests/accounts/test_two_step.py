"""Two-step login for everyone who moves or approves money, set up on the phone they are holding."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import hotp_value
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from tests.base import BaseTestCase, make_user

PASSWORD = "correct horse battery"


def money_urls(resolver=None, prefix=""):
    """(name, pattern) of every URL whose view is guarded by money_mfa_required."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from money_urls(pattern, namespace)
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "money_action", False):
            yield f"{prefix}{pattern.name}", pattern


def _kwargs(pattern):
    # The guard answers before any object is looked up, so any number will do.
    return {name: 1 for name in pattern.pattern.converters}


def current_code(secret):
    counter = int(time.time()) // 30  # this 30-second window
    return f"{hotp_value(secret, counter):06d}"


class MoneyURLsTest(BaseTestCase):
    def test_every_action_on_money_is_guarded(self):
        names = {name for name, _pattern in money_urls()}
        self.assertLessEqual({
            "ledger:payment-new", "ledger:transaction-reverse", "ledger:handover-confirm", "ledger:expense-new",
            "ledger:expense-approve", "ledger:expense-pay", "ledger:expense-cancel", "ledger:income-new",
            "ledger:fund-new", "ledger:billing-run", "ledger:month-close", "ledger:fee-rate-new",
            "ledger:adjustment-new", "ledger:adjustment-end", "ledger:budget", "repairs:quote-choose",
        }, names)

    def test_a_member_without_two_step_login_is_sent_to_set_it_up_before_any_money_action(self):
        member = make_user("member2", (Role.Kind.COMMITTEE, None), name="新委员")
        self.login(member)
        for name, pattern in money_urls():
            url = reverse(name, kwargs=_kwargs(pattern))
            for method in ("get", "post"):
                with self.subTest(url=name, method=method):
                    response = getattr(self.client, method)(url, HTTP_REFERER="http://testserver/ledger/expenses/")
                    if method == "get" and response.status_code == 405:
                        continue  # an action taken by POST only
                    # Back afterwards to the page: this one for a GET, the page holding the form for a POST.
                    back = url if method == "get" else "http://testserver/ledger/expenses/"
                    self.assertRedirects(
                        response, reverse("accounts:two-step") + "?" + _query(back), fetch_redirect_response=False)

    def test_a_building_head_collecting_cash_is_asked_too(self):
        head = make_user("head9", (Role.Kind.BUILDING_HEAD, self.building1), name="新楼长")
        self.login(head)
        url = reverse("ledger:payment-new", kwargs={"pk": self.household_a.pk})
        response = self.client.get(url)
        self.assertRedirects(response, reverse("accounts:two-step") + "?" + _query(url),
                             fetch_redirect_response=False)

    def test_a_form_posted_from_another_site_returns_to_the_home_page(self):
        member = make_user("member2", (Role.Kind.COMMITTEE, None))
        self.login(member)
        response = self.client.post(reverse("ledger:income-new"), HTTP_REFERER="https://evil.example/x")
        self.assertRedirects(response, reverse("accounts:two-step") + "?" + _query(reverse("estate:dashboard")),
                             fetch_redirect_response=False)


def _query(next_url):
    from urllib.parse import urlencode

    return urlencode({"next": next_url})


class SetUpOnAPhoneTest(BaseTestCase):
    def setUp(self):
        self.member = make_user("member2", (Role.Kind.COMMITTEE, None), name="新委员")
        self.member.set_password(PASSWORD)
        self.member.save()
        self.client.post(reverse("account_login"), {"login": "member2", "password": PASSWORD})
        self.expense_page = reverse("ledger:income-new")

    def test_a_member_sets_it_up_with_the_key_as_text_and_returns_to_the_income_form(self):
        response = self.client.get(self.expense_page, follow=True)
        self.assertContains(response, "请先设置两步验证")
        # allauth asks for the password once more before anything is set up.
        self.assertContains(response, 'name="password"')
        response = self.client.post(response.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
        secret = self.client.session["mfa.totp.secret"]
        # The key as large, selectable text (not a disabled box), a link into the app on this phone,
        # and the QR code only for another phone.
        self.assertContains(response, '<p class="two-step-key" id="two-step-key" lang="en">')
        self.assertContains(response, "".join(f"<span>{secret[i:i + 4]}</span>" for i in range(0, len(secret), 4)))
        self.assertContains(response, "otpauth://totp/")
        self.assertContains(response, "在另一部手机上设置？")
        self.assertNotContains(response, "disabled")

        response = self.client.post(reverse("accounts:two-step"),
                                    {"code": current_code(secret), "next": self.expense_page}, follow=True)
        self.assertTrue(Authenticator.objects.filter(user=self.member, type="totp").exists())
        self.assertContains(response, "两步验证已开启")
        codes = Authenticator.objects.get(user=self.member, type="recovery_codes").wrap().get_unused_codes()
        self.assertContains(response, f"<li>{codes[0]}</li>", html=True)
        self.assertContains(response, f'href="{self.expense_page}"')
        self.assertContains(response, "回到刚才的操作")
        # Now the money page opens.
        self.assertContains(self.client.get(self.expense_page), 'name="amount"')

    def test_a_wrong_or_reused_code_says_what_to_do(self):
        response = self.client.get(reverse("accounts:two-step"), follow=True)
        response = self.client.post(response.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
        response = self.client.post(reverse("accounts:two-step"), {"code": "000000"})
        self.assertContains(response, "每个验证码只能用一次")
        self.assertFalse(Authenticator.objects.filter(user=self.member).exists())

    def test_next_never_leads_off_the_site(self):
        response = self.client.get(reverse("accounts:two-step"), follow=True)
        self.client.post(response.redirect_chain[-1][0], {"password": PASSWORD})
        response = self.client.get(reverse("accounts:two-step") + "?next=https://evil.example/")
        self.assertContains(response, '<input type="hidden" name="next" value="">', html=True)
