"""gunicorn started for bench/benchmark.py's http section, and a client that times pages against a bare view.

Throughput is measured with two client threads (as many as the server's workers), each sending requests one
after another for a fixed time; a page's share is its requests per second over the bare view's, measured
right before it (interleaved, so that a burst of load from elsewhere on the machine weighs on both), and the
median over several rounds is reported. gunicorn's sync workers close each connection, so every request
opens one: the same for the page and the bare view.
"""

import html
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BARE = "/bench/bare/"
WORKERS = 2
ROUNDS = 3
SECONDS = 0.4  # per measurement: a round of a page is its own and the bare view's
# Links of the menu that are not pages people read.
NOT_PAGES = re.compile(r"^/accounts/logout/|^/i18n/|\?_export=")


class HttpBench:
    """`with HttpBench(database_url) as server:` gunicorn on a free port of 127.0.0.1, stopped afterwards."""

    def __init__(self, database_url):
        self.database_url = database_url

    def __enter__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.http_settings",
            "DATABASE_URL": self.database_url,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "PYTHONPATH": str(BASE_DIR),
            # WhiteNoise looks for collected static files, which the benchmark does without.
            "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "estate.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--no-control-socket",
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.get("/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.__exit__(None, None, None)
                raise RuntimeError("gunicorn did not answer /healthz within a minute")
            time.sleep(0.3)

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    # --- Requests -------------------------------------------------------------

    def request(self, method, path, *, cookies=None, body=None, connection=None):
        """(status, headers, body); the cookies the server sets are added to `cookies`."""
        conn = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": "127.0.0.1"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        if cookies is not None:
            for header in response.headers.get_all("Set-Cookie") or ():
                for name, morsel in SimpleCookie(header).items():
                    cookies[name] = morsel.value
        if connection is None:
            conn.close()
        return response.status, response.headers, content

    def get(self, path, cookies=None):
        return self.request("GET", path, cookies=cookies)

    def post_form(self, path, fields, cookies):
        """Post a form as a browser does: with the CSRF token of the page that shows it."""
        from urllib.parse import urlencode

        _status, _headers, page = self.get(path, cookies)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise RuntimeError(f"{path} shows no form")
        return self.request(
            "POST", path, cookies=cookies, body=urlencode({"csrfmiddlewaretoken": token.group(1).decode(), **fields})
        )

    def login(self, username):
        """The cookies of a session signed in as the demo user, through the two-step login where it has one."""
        from estate.demo import DEMO_PASSWORD

        cookies = {}
        status, headers, _ = self.post_form("/accounts/login/", {"login": username, "password": DEMO_PASSWORD}, cookies)
        location = headers.get("Location", "")
        if status == 302 and "/2fa/" in location:
            status, headers, _ = self.post_form(urlsplit(location).path, {"code": _current_code(username)}, cookies)
        if status != 302 or "sessionid" not in cookies:
            raise RuntimeError(f"{username} could not sign in ({status})")
        return cookies

    # --- Throughput -----------------------------------------------------------

    def rate(self, path, cookies, seconds=SECONDS):
        """Requests per second of GET path by WORKERS clients at once, each waiting for its answer."""
        counts, failures = [0] * WORKERS, []
        deadline = time.perf_counter() + seconds

        def client(index):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            while time.perf_counter() < deadline:
                status = self.request("GET", path, cookies=dict(cookies), connection=conn)[0]
                if status != 200:
                    failures.append(status)
                    return
                counts[index] += 1
            conn.close()

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(index,)) for index in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise RuntimeError(f"{path} answered {failures[0]}")
        return sum(counts) / (time.perf_counter() - started)

    def shares(self, cookies, paths):
        """{path: median over ROUNDS of its requests per second as a percentage of the bare view's}.
        A page that does not answer 200 is given as the reason instead (a string)."""
        shares, refused = {path: [] for path in paths}, {}
        for _round in range(ROUNDS):
            for path in paths:
                if path in refused:
                    continue
                bare = self.rate(BARE, cookies)
                try:
                    shares[path].append(100 * self.rate(path, cookies) / bare)
                except RuntimeError as error:
                    refused[path] = str(error)
        return {path: refused.get(path) or statistics.median(values) for path, values in shares.items()}


def menu_pages(server, cookies):
    """The pages the signed-in person's menu links to (where a link redirects, the page it leads to)."""
    _status, _headers, page = server.get("/", cookies)
    nav = re.search(rb'<nav class="site-nav.*?</nav>', page, re.S)
    paths = []
    for href in re.findall(rb'href="([^"]+)"', nav.group(0) if nav else b""):
        path = html.unescape(href.decode())
        if not path.startswith("/") or NOT_PAGES.search(path):
            continue
        status, headers, _ = server.get(path, dict(cookies))
        if status in (301, 302):
            path = urlsplit(headers["Location"]).path
        if path not in paths:
            paths.append(path)
    return paths


def _current_code(username):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import hotp_value
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user__username=username, type=Authenticator.Type.TOTP)
    return f"{hotp_value(decrypt(authenticator.data['secret']), int(time.time()) // 30):06d}"
