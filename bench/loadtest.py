"""Load test: residents and the committee using the demo estate, with or without a trickle of hostile uploads.

Against `make run` (the demo estate loaded, PostgreSQL as in production), on this machine only, for a
bounded time; figures to read, never a test. For example, 30 seconds of 12 people, first without and
then with the hostile uploads:

    DATABASE_URL=postgres://... make run PORT=8130 &
    .venv/bin/locust -f bench/loadtest.py --headless --host http://127.0.0.1:8130 -u 12 -r 4 -t 30s \\
        --only-summary Resident Committee
    .venv/bin/locust -f bench/loadtest.py --headless --host http://127.0.0.1:8130 -u 12 -r 4 -t 30s \\
        --only-summary Resident Committee Hostile

Resident: signs in as a demo resident and reads the dashboard, the estate's accounts, the notices and the
repair tickets. Committee: signs in as the committee member and reads the register, the journal, arrears
and tickets. Hostile (one in twelve): a resident who reports a repair with six 6000×6000 PNGs (refused by
the pixel budget), or with one (accepted: the background worker cleans it), and a committee login that
uploads a roster with a cell at XFD1048576 or two million cells (refused before it is read). A hostile request
answered otherwise counts as a failure. At the end a line sums up the pages alone (no logins, no hostile
requests): what residents and the committee wait for. Figures measured on this machine: README.md.
"""

import io
import re
import statistics
import time
import zipfile
from functools import cache
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

PASSWORD = "jiayuan-demo-2026"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PIXELS_PER_REPORT = 100_000_000  # estate.uploads.MAX_PIXELS_PER_REQUEST


@events.init.add_listener
def _only_here_and_bounded(environment, **kwargs):
    host = urlparse(environment.host or "").hostname
    if host not in LOOPBACK:
        raise SystemExit(f"The load test runs against this machine only (--host http://127.0.0.1:PORT), not {host}.")
    options = environment.parsed_options
    if options is not None and not options.run_time:
        raise SystemExit("Give the load test a time limit: -t 30s.")


# What residents and the committee wait for: every page but the logins and the hostile user's requests.
_pages = {"times": [], "errors": 0, "started": None}
NOT_PAGES = ("login", "hostile", "repair form", "roster form")


@events.test_start.add_listener
def _started(environment, **kwargs):
    _pages["started"] = time.monotonic()


@events.request.add_listener
def _count_page(name, response_time, exception, **kwargs):
    if not name.startswith(NOT_PAGES):
        _pages["times"].append(response_time)
        _pages["errors"] += exception is not None


@events.test_stop.add_listener
def _pages_summary(environment, **kwargs):
    times, seconds = _pages["times"], time.monotonic() - (_pages["started"] or time.monotonic())
    if len(times) > 1 and seconds:
        p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
        print(f"Pages (no logins, no hostile requests): {len(times)} in {seconds:.0f} s = "
              f"{len(times) / seconds:.2f}/s, median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
              f"errors {_pages['errors']}")


def _csrf(page):
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return found.group(1) if found else ""


class Person(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)
    login = ""

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login form").text
        self.client.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": _csrf(page), "login": self.login, "password": PASSWORD},
            name="login",
        )


class Resident(Person):
    weight = 8
    login = "resident"

    @task(4)
    def dashboard(self):
        self.client.get("/", name="dashboard")

    @task(3)
    def public_accounts(self):
        self.client.get("/ledger/accounts/", name="public accounts")

    @task(2)
    def repairs(self):
        self.client.get("/repairs/", name="repair tickets")

    @task(1)
    def notices(self):
        self.client.get("/ledger/notices/", name="monthly notices")


class Committee(Person):
    weight = 3
    login = "member"

    @task(3)
    def register(self):
        self.client.get("/households/", name="household register")

    @task(3)
    def journal(self):
        self.client.get("/ledger/journal/", name="journal")

    @task(2)
    def arrears(self):
        self.client.get("/ledger/arrears/", name="arrears")

    @task(2)
    def repairs(self):
        self.client.get("/repairs/", name="repair tickets")


@cache
def _big_png():
    from PIL import Image

    out = io.BytesIO()
    # Greyscale and quick to make (the load test competes for the same cores); the server decodes it as it would
    # any 6000×6000 picture.
    Image.new("L", (6000, 6000), 130).save(out, "PNG", compress_level=6)
    return out.getvalue()


@cache
def _hostile_workbooks():
    def workbook(sheet_xml):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            archive.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            )
            archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        return out.getvalue()

    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    far_corner = head + b'<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
    two_million = head + b"<sheetData>" + (b"<row>" + b"<c/>" * 1000 + b"</row>") * 2000 + b"</sheetData></worksheet>"
    return {"far-corner.xlsx": workbook(far_corner), "two-million.xlsx": workbook(two_million)}


class Hostile(Person):
    weight = 1
    login = "resident2"
    wait_time = between(2, 4)

    def _report(self, photos, name):
        page = self.client.get("/repairs/new/", name="repair form").text
        building = re.search(r'<option value="(\d+)">', page[page.find('name="building"') :])
        data = {
            "csrfmiddlewaretoken": _csrf(page),
            "place": "stairwell",
            "category": "electrical",
            "urgency": "normal",
            "description": "压力测试",
            "building": building.group(1) if building else "",
        }
        files = [("photos", (f"{n}.png", _big_png(), "image/png")) for n in range(photos)]
        with self.client.post("/repairs/new/", data=data, files=files, name=name, catch_response=True) as response:
            # Refused: the form again, with the pixel budget's message. Accepted: the new ticket, its photo queued.
            accepted = re.search(r"/repairs/\d+/$", response.url or "") is not None
            if response.ok and accepted != (photos * 36_000_000 > PIXELS_PER_REPORT):
                response.success()
            else:
                response.failure(f"{photos} photo(s): {'accepted' if accepted else 'refused'} ({response.status_code})")

    @task(2)
    def six_huge_photos(self):
        self._report(6, "hostile: six 6000×6000 photos")

    @task(1)
    def one_huge_photo(self):
        self._report(1, "hostile: one 6000×6000 photo")

    @task(2)
    def hostile_roster(self):
        # The committee's login, as if its password had leaked.
        self.client.cookies.clear()
        Person.on_start(type("CommitteeLogin", (), {"client": self.client, "login": "member"})())
        for name, data in _hostile_workbooks().items():
            page = self.client.get("/households/import/", name="roster form").text
            with self.client.post(
                "/households/import/",
                data={"csrfmiddlewaretoken": _csrf(page)},
                files={"file": (name, data)},
                name=f"hostile: roster {name}",
                catch_response=True,
            ) as response:
                if response.status_code == 422:
                    response.success()  # refused with a message: what it should do
                else:
                    response.failure(f"not refused ({response.status_code})")
        self.client.cookies.clear()
        self.on_start()
