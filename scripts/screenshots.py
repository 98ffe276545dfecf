#!/usr/bin/env python
"""Screenshots of pages as people see them, at phone and desktop width, in Debian's Chromium.

  .venv/bin/python scripts/screenshots.py http://127.0.0.1:8061 OUTDIR --login chair /path/ /other/ ...

Logs in with the demo password (or --password), then saves OUTDIR/<path>-360.png and -1280.png for
each path. Add --pdf to also print each page to PDF through Chromium's print preview (A4).
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("outdir")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--login")
    parser.add_argument("--password", default="jiayuan-demo-2026")
    parser.add_argument("--widths", default="360,1280")
    parser.add_argument("--pdf", action="store_true")
    options = parser.parse_args()
    out = Path(options.outdir)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for width in map(int, options.widths.split(",")):
            context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
            page = context.new_page()
            if options.login:
                page.goto(options.base + "/accounts/login/")
                page.fill("input[name=login]", options.login)
                page.fill("input[name=password]", options.password)
                page.click("button[type=submit]")
                page.wait_for_load_state()
            for path in options.paths:
                page.goto(options.base + path)
                name = re.sub(r"[^a-zA-Z0-9]+", "-", path).strip("-") or "home"
                page.screenshot(path=out / f"{name}-{width}.png", full_page=True)
                if options.pdf and width == max(map(int, options.widths.split(","))):
                    page.pdf(path=out / f"{name}.pdf", format="A4", print_background=True)
                print(out / f"{name}-{width}.png", page.title())
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
