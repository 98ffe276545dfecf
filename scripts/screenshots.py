#!/usr/bin/env python
"""Screenshots of pages as people see them, at phone and desktop width, in Debian's Chromium.

The whole app in a minute: log in as every demo user and save every page of their menu.

  .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 OUTDIR --walk

saves OUTDIR/<login>/<path>-360.png and -1280.png for each page the menu of <login> links to (and the
home page), and prints a line per page with its title, its height and whether it scrolls sideways.
`--walk chair,resident` walks only those logins. Particular pages:

  .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 OUTDIR --login chair /path/ /other/ ...

Logs in with the demo password (or --password). Add --pdf to also print each page to PDF through
Chromium's print preview (A4).
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
# The logins estate/demo.py creates, one of each kind of role (tests/test_screenshots_script.py keeps
# this list and DEMO_USERS together).
DEMO_LOGINS = ("chair", "member", "treasurer", "head1", "head2", "volunteer", "volunteer2", "resident",
               "resident2")


def log_in(page, base, username, password):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def menu_paths(page):
    """The home page and every page the menu links to, in the menu's order (the menu's groups included)."""
    hrefs = page.eval_on_selector_all("nav.site-nav a[href]", "links => links.map(a => a.getAttribute('href'))")
    paths = ["/"]
    for href in hrefs:
        if href.startswith("/") and href not in paths:
            paths.append(href)
    return paths


def file_name(path):
    return re.sub(r"[^a-zA-Z0-9]+", "-", path).strip("-") or "home"


def shoot(page, base, path, out, width, pdf=False):
    page.goto(base + path)
    name = file_name(path)
    target = out / f"{name}-{width}.png"
    page.screenshot(path=target, full_page=True)
    if pdf:
        page.pdf(path=out / f"{name}.pdf", format="A4", print_background=True)
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    sideways = "  SCROLLS SIDEWAYS" if size[0] > width else ""
    print(f"{target}  {size[1]} px tall  {page.title()}{sideways}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("outdir")
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--login")
    parser.add_argument("--walk", nargs="?", const=",".join(DEMO_LOGINS),
                        help="comma-separated logins whose every menu page to save (default: every demo login)")
    parser.add_argument("--password", default="jiayuan-demo-2026")
    parser.add_argument("--widths", default="360,1280")
    parser.add_argument("--pdf", action="store_true")
    options = parser.parse_intermixed_args()
    if not options.paths and not options.walk:
        parser.error("name the paths to save, or --walk")
    base = options.base.rstrip("/")
    widths = [int(width) for width in options.widths.split(",")]
    out = Path(options.outdir)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        if options.walk:
            for username in options.walk.split(","):
                # One context per login: its session serves both widths (the viewport is resized).
                context = browser.new_context(viewport={"width": widths[0], "height": 800}, locale="zh-CN",
                                              timezone_id="Asia/Shanghai")
                page = context.new_page()
                log_in(page, base, username, options.password)
                paths = menu_paths(page)
                (out / username).mkdir(parents=True, exist_ok=True)
                for width in widths:
                    page.set_viewport_size({"width": width, "height": 800})
                    for path in paths:
                        shoot(page, base, path, out / username, width)
                context.close()
        else:
            out.mkdir(parents=True, exist_ok=True)
            for width in widths:
                context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN",
                                              timezone_id="Asia/Shanghai")
                page = context.new_page()
                if options.login:
                    log_in(page, base, options.login, options.password)
                for path in options.paths:
                    shoot(page, base, path, out, width, pdf=options.pdf and width == max(widths))
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
