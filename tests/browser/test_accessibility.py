"""Every page of every menu, as each demo login sees it on a phone (360 px) and a desktop (1280 px):
no serious or critical axe-core finding against WCAG 2.2 AA, no control under 44 px, nothing wider than
the screen, focus visible (tests/browser/a11y.py). Then what the lists look like on a phone.

One browser, one context per login (resized for the second width), one seeded demo estate: the demo
users are those of estate/demo.py, their menus as the app builds them, so a new page in a menu is checked
without touching this test.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from estate.demo import DEMO_PASSWORD, DEMO_USERS
from ledger.models import MonthlyNotice
from tests.browser.a11y import menu_paths, page_problems
from tests.browser.conftest import login

WIDTHS = (360, 1280)


def _context(browser, width=WIDTHS[0]):
    return browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN",
                               timezone_id="Asia/Shanghai")


def _walk(page, base, paths, who):
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            page.goto(base + path)
            problems += [f"{who} {width}px {path}: {problem}" for problem in page_problems(page, width)]
    return problems


def _focus_is_visible(page):
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the estate's name, a link
    return page.evaluate("""() => { const style = getComputedStyle(document.activeElement);
        return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2; }""")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_menu_page_of_every_demo_login_is_accessible_and_lists_fit_a_phone(browser, live_server):
    call_command("seed_demo", stdout=StringIO())
    notice = MonthlyNotice.objects.order_by("-month").first()
    problems, menus = [], set()

    visitor = _context(browser)
    page = visitor.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert _focus_is_visible(page), "the focused link shows no outline"
    problems += _walk(page, live_server.url, ["/accounts/login/", "/accounts/signup/", f"/n/{notice.code}/"],
                      "visitor")
    visitor.close()

    for username, *_ in DEMO_USERS:
        context = _context(browser)
        page = context.new_page()
        login(page, live_server, username, DEMO_PASSWORD)
        page.wait_for_url(f"{live_server.url}/")
        paths = menu_paths(page)
        # Logins with the same menu (the chair and a member, two building heads) see the same pages.
        if tuple(paths) not in menus:
            menus.add(tuple(paths))
            problems += _walk(page, live_server.url, paths, username)
        context.close()
    assert len(menus) == 4  # committee, building head, volunteer, resident
    assert not problems, "\n".join(problems)
    # The same demo estate (seeding it takes half a minute) shows the lists on a phone.
    _lists_on_a_phone(browser, live_server, notice)


def _lists_on_a_phone(browser, live_server, notice):
    context = _context(browser)
    page = context.new_page()
    login(page, live_server, "chair", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/ledger/journal/")
    row = page.locator("table.journal tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).display") == "flex"  # a card, not a table row
    assert row.locator(".card-figure").is_visible() and row.locator(".card-title").is_visible()
    assert not row.locator(".card-off").is_visible()  # who entered it waits for a wide screen
    page.set_viewport_size({"width": 1280, "height": 800})
    assert row.evaluate("tr => getComputedStyle(tr).display") == "table-row"
    assert row.locator(".card-off").is_visible()

    page.set_viewport_size({"width": 360, "height": 800})
    # The arrears list, which building heads open on the stairs: each household's card shows the chasing record.
    page.goto(f"{live_server.url}/ledger/arrears/")
    card = page.locator("table.cards tbody tr").first
    assert card.evaluate("tr => getComputedStyle(tr).display") == "flex"
    assert card.locator(".card-line").is_visible()
    assert card.locator(".card-line").evaluate("el => el.getBoundingClientRect().right") <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.goto(f"{live_server.url}/ledger/accounts/")
    assert page.locator("details.month[open]").count() == 1
    assert page.evaluate("document.documentElement.scrollHeight") < 5000  # was about 14,000 px
    balance = page.locator("details.month[open] summary .month-balance")
    assert balance.evaluate("el => el.getBoundingClientRect().right") <= 360  # every digit on the screen

    # The English notice's budget keeps within the phone's width, each figure inside its cell.
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/ledger/notices/{notice.month:%Y-%m}/")
    assert page.evaluate("document.documentElement.lang") == "en"
    budget = page.locator("table.an-budget")
    assert budget.evaluate("""table => [...table.querySelectorAll("th, td")]
        .every(cell => cell.scrollWidth <= cell.clientWidth) && table.scrollWidth <= table.parentElement.clientWidth""")
    context.close()
