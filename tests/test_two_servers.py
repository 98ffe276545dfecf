"""Two app servers, one database: what a visitor sees does not depend on which server answers.

Two gunicorn processes on two ports of 127.0.0.1 share the test database and the uploads, as two
machines behind a load balancer share PostgreSQL and the object storage (README, "Two app servers").
A visitor's requests alternate between them: the session, the messages, the login limits, a money form sent
to both (one payment, one income, whichever server and however close together) and background work (a photo
queued by one server, cleaned by a worker, served by the other) behave as on one server.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import caches
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from ledger.chart import create_chart
from ledger.models import Account, ChainHead, Income, Payment, Receipt, Transaction
from repairs.models import Ticket
from tests.background import run_queued_tasks
from tests.base import Personas
from tests.browser.conftest import _current_code
from tests.repairs.base import jpeg_bytes

PASSWORD = "correct horse battery"  # tests.base.make_user's
SITE_HOST = "jiayuan.test"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url():
    values = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{values['NAME']}"
    auth = values["USER"] + (f":{urllib.parse.quote(values['PASSWORD'])}" if values["PASSWORD"] else "")
    return f"postgres://{auth}@{values['HOST'] or '127.0.0.1'}:{values['PORT'] or 5432}/{values['NAME']}"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A browser: one cookie jar, whichever server it talks to (cookies do not depend on the port)."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects)

    def request(self, url, data=None, files=None):
        # Behind the load balancer both servers see the site's public name, not their own port.
        body, headers = None, {"Accept-Language": "zh-hans", "Host": SITE_HOST}
        if files:
            boundary = "jiayuan-boundary"
            parts = []
            for name, value in (data or {}).items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                             .encode())
            for name, (filename, content) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
                             f"\r\nContent-Type: image/jpeg\r\n\r\n".encode() + content + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(urllib.request.Request(url, data=body, headers=headers), timeout=30) as response:
                return response.status, self._text(response), response.headers
        except urllib.error.HTTPError as error:
            return error.code, self._text(error), error.headers

    @staticmethod
    def _text(response):
        body = response.read()
        return body.decode() if response.headers.get_content_charset() else body

    def csrf(self, url):
        status, page, _ = self.request(url)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, f"{url} answered {status}: {page[:3000]}"
        return found.group(1)

    def log_in(self, server, username, password=PASSWORD):
        token = self.csrf(f"{server}/accounts/login/")
        return self.request(f"{server}/accounts/login/",
                            {"csrfmiddlewaretoken": token, "login": username, "password": password})

    def log_in_with_code(self, server, username):
        """Password, then the two-step code the person's authenticator app shows now."""
        status, _, headers = self.log_in(server, username)
        assert (status, headers["Location"]) == (302, "/accounts/2fa/authenticate/"), (status, headers["Location"])
        step = f"{server}/accounts/2fa/authenticate/"
        status, page, headers = self.request(step, {"csrfmiddlewaretoken": self.csrf(step),
                                                    "code": _current_code(username)})
        assert status == 302, page

    def form(self, server, url, **values):
        """The form's hidden fields (its CSRF token and its idempotency key) as the page rendered them, and values."""
        status, page, _ = self.request(f"{server}{url}")
        assert status == 200, f"{url} answered {status}"
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
        assert hidden.get("idempotency_key"), page
        return {**hidden, **values}


class TwoServersTest(Personas, TransactionTestCase):
    # Not serialized_rollback: restoring the migrations' rows collides with the content types that an earlier
    # transactional test's flush put back, depending on the order tests run in. Each test makes what it needs.

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.media_root = settings.MEDIA_ROOT
        env = {**os.environ, "DATABASE_URL": database_url(), "MEDIA_ROOT": str(cls.media_root),
               "SECRET_KEY": settings.SECRET_KEY, "DEBUG": "false", "SECURE_SSL_REDIRECT": "false",
               "SECURE_COOKIES": "false", "SECURE_HSTS_SECONDS": "0", "ALLOWED_HOSTS": f"127.0.0.1,{SITE_HOST}",
               "DB_CONN_MAX_AGE": "0"}
        # The servers run as production does (DEBUG off): pages name static files from collectstatic's manifest.
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=settings.BASE_DIR,
                       env=env, check=True)
        cls.servers, cls.processes = [], []
        for _ in range(2):
            port = free_port()
            cls.processes.append(subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "estate.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", "1", "--no-control-socket", "--log-level", "warning"],
                cwd=settings.BASE_DIR, env=env))
            cls.servers.append(f"http://127.0.0.1:{port}")
        for server in cls.servers:
            cls._wait_for(server)

    @classmethod
    def _wait_for(cls, server):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{server}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        cls.tearDownClass()
        raise RuntimeError(f"{server} did not start")

    @classmethod
    def tearDownClass(cls):
        for process in cls.processes:
            process.terminate()
        for process in cls.processes:
            process.wait(timeout=20)
        super().tearDownClass()

    def setUp(self):
        # Login limits live in the cache table, which flushing the database between tests leaves alone.
        caches["default"].clear()
        # The chart of accounts and the chain head, which the data migration made and every flush empties.
        create_chart(Account, ChainHead)
        # The worker of this process and the two servers share one uploads folder, as they would a bucket.
        self.enterContext(override_settings(MEDIA_ROOT=self.media_root))
        self.create_personas()
        # The tests' fast hasher is unknown to the servers: the people they log in get production's.
        hasher = PBKDF2PasswordHasher()
        for user in (self.resident, self.treasurer):
            user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
            user.save(update_fields=["password"])
        self.a, self.b = self.servers

    def test_a_session_begun_on_one_server_is_known_to_the_other_with_its_messages(self):
        visitor = Visitor()
        status, _, headers = visitor.log_in(self.a, "resident")
        self.assertEqual((status, headers["Location"]), (302, "/"))
        status, page, _ = visitor.request(f"{self.b}/")
        self.assertEqual(status, 200)
        self.assertIn("周阿姨", page)
        self.assertRegex(page, r'<ul class="messages" role="status">\s*<li class="message success">')
        # Signing out on B ends the session on A too.
        visitor.request(f"{self.b}/accounts/logout/", {"csrfmiddlewaretoken": visitor.csrf(f"{self.b}/")})
        status, _, headers = visitor.request(f"{self.a}/")
        self.assertEqual(status, 302)
        self.assertIn("/accounts/login/", headers["Location"])

    def test_failed_logins_count_together_whichever_server_they_reach(self):
        limit = min(int(rule.split("/")[0]) for rule in settings.ACCOUNT_RATE_LIMITS["login_failed"].split(","))
        with translation.override("zh-hans"):
            refusal = translation.gettext("Too many failed login attempts. Try again later.")
        visitor = Visitor()

        def refused(server):
            status, page, _ = visitor.log_in(server, "treasurer", "wrong password")
            return status == 429 or refusal in page

        failures = 0
        while not refused(self.servers[failures % 2]):
            failures += 1
            # Counted apart, the two servers would let through twice the limit, alternating.
            self.assertLessEqual(failures, limit + 1, "each server counted its own failures")
        # Refused on one, refused on the other.
        self.assertTrue(refused(self.servers[(failures + 1) % 2]))

    def test_a_report_made_on_one_server_shows_its_photo_on_the_other(self):
        visitor = Visitor()
        status, page, _ = visitor.log_in(self.a, "resident")
        self.assertEqual(status, 302, page[page.find("<main"):][:1500])
        form = {"csrfmiddlewaretoken": visitor.csrf(f"{self.b}/repairs/new/"), "place": "stairwell",
                "building": self.building1.pk, "category": "electrical", "urgency": "normal",
                "description": "楼道灯不亮。"}
        status, _, headers = visitor.request(f"{self.b}/repairs/new/", form,
                                             files={"photos": ("IMG_1.jpg", jpeg_bytes(size=(640, 480)))})
        self.assertEqual(status, 302)
        ticket = Ticket.objects.get()
        status, page, _ = visitor.request(f"{self.a}{headers['Location']}")
        self.assertIn("处理中", page)
        # The task was queued in the shared database by B; any worker runs it.
        self.assertEqual(run_queued_tasks(), 1)
        photo = ticket.photos.get()
        status, small, headers = visitor.request(
            self.a + reverse("repairs:photo-small", args=[ticket.pk, photo.pk]))
        self.assertEqual((status, headers["Content-Type"]), (200, "image/jpeg"))

    def test_a_payment_form_sent_to_both_servers_at_once_records_one_payment(self):
        """A double click that the load balancer sends to two servers: one payment, one receipt number, and
        every answer leads to that receipt."""
        visitor = Visitor()
        visitor.log_in_with_code(self.a, "treasurer")
        url = reverse("ledger:payment-new", args=[self.household_a.pk])
        form = visitor.form(self.a, url, amount="39.59", method="cash", reference="", payer_name="",
                            date=timezone.localdate().isoformat())
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(lambda server: visitor.request(f"{server}{url}", form), self.servers))
        payment = Payment.objects.get()
        receipt_url = reverse("ledger:receipt", args=[payment.receipt.pk])
        self.assertEqual([(status, headers["Location"]) for status, _, headers in answers],
                         [(302, receipt_url), (302, receipt_url)])
        # Sent again later, to either server: the same receipt, said to be the one recorded before.
        for server in self.servers:
            status, _, headers = visitor.request(f"{server}{url}", form)
            self.assertEqual((status, headers["Location"]), (302, receipt_url))
        status, page, _ = visitor.request(f"{self.b}{receipt_url}")
        self.assertEqual(status, 200)
        self.assertIn(payment.receipt.code, page)
        self.assertIn("这笔缴费已经登记过，以下是它的收据。", page)
        self.assertEqual((Payment.objects.count(), Receipt.objects.count()), (1, 1))
        self.assertEqual(payment.amount, Decimal("39.59"))
        self.assertEqual(Transaction.objects.filter(kind=Transaction.Kind.PAYMENT).count(), 1)

    def test_an_income_form_sent_to_both_servers_at_once_records_one_income(self):
        visitor = Visitor()
        visitor.log_in_with_code(self.b, "treasurer")
        url = reverse("ledger:income-new")
        form = visitor.form(self.b, url, kind="parking", fund="", source="临时停车", period="", amount="120.00",
                            method="cash", date=timezone.localdate().isoformat())
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(lambda server: visitor.request(f"{server}{url}", form), reversed(self.servers)))
        public = reverse("ledger:public")
        self.assertEqual([(status, headers["Location"]) for status, _, headers in answers],
                         [(302, public), (302, public)])
        status, _, headers = visitor.request(f"{self.a}{url}", form)
        self.assertEqual((status, headers["Location"]), (302, public))
        income = Income.objects.get()
        self.assertEqual((income.source, income.amount), ("临时停车", Decimal("120.00")))
        self.assertEqual(Transaction.objects.filter(kind=Transaction.Kind.INCOME).count(), 1)
