"""What the accessibility walk checks on each page (tests/browser/test_accessibility.py).

axe-core (bundled with axe-playwright-python, nothing downloaded) against WCAG 2.0-2.2 A and AA, failing on
serious and critical findings; and what axe leaves to people: every control a thumb can hit at least 44 px
tall and wide (docs/ARCHITECTURE.md, "Lists on a phone"), and no page wider than the screen.
"""

from axe_playwright_python.sync_playwright import Axe

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
               "resultTypes": ["violations"]}
FAILING_IMPACTS = ("serious", "critical")
# Controls, not links inside running text (WCAG 2.5.8 exempts those): buttons, fields, folds, the menu,
# the pager, the sort headers, and a radio button's label (the label is the target; the dot alone is small).
TARGETS = ("button, .button, summary, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), "
           "nav a, .pagination a, th a, label:has(> input[type=radio])")
SMALL_TARGETS = """(selector) => [...document.querySelectorAll(selector)].filter(el => {
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === "hidden") return false;
    if (el.closest("details:not([open]) > :not(summary)")) return false;
    return box.height < 43.5 || box.width < 43.5;
}).map(el => `${el.tagName.toLowerCase()} "${(el.textContent || el.value || "").trim().slice(0, 20)}" `
             + `${Math.round(el.getBoundingClientRect().width)}×${Math.round(el.getBoundingClientRect().height)}`)"""

_axe = Axe()


def page_problems(page, width):
    """What is wrong with the page in view, one line a finding."""
    problems = []
    for violation in _axe.run(page, options=AXE_OPTIONS).response["violations"]:
        if violation["impact"] in FAILING_IMPACTS:
            targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
            problems.append(f"axe {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    small = page.evaluate(SMALL_TARGETS, TARGETS)
    if small:
        problems.append(f"targets under 44 px: {small[:5]}")
    if page.evaluate("document.documentElement.scrollWidth") > width:
        problems.append("the page is wider than the screen")
    return problems


def menu_paths(page):
    """The home page and every page the menu links to (its folded groups included)."""
    hrefs = page.eval_on_selector_all("nav.site-nav a[href]", "links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(["/", *(href for href in hrefs if href.startswith("/"))]))
