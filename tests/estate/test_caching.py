"""Nothing a signed-in person sees stays in a cache (estate/caching.py); every URL is checked in tests/access.py."""

from django.urls import reverse

from tests.base import BaseTestCase


class PrivateByDefaultTest(BaseTestCase):
    def test_a_signed_in_page_is_kept_nowhere(self):
        self.login(self.resident)
        response = self.client.get(reverse("estate:dashboard"))
        self.assertContains(response, "周阿姨")
        self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_the_login_page_with_its_form_token_is_kept_nowhere(self):
        directives = self.client.get(reverse("account_login"))["Cache-Control"].split(", ")
        self.assertIn("private", directives)
        self.assertIn("no-store", directives)
