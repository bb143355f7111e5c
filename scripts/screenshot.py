"""Take docs/screenshot.png: the page in headless chromium over a running server, a search,
then a follow-up in words, with its pitches written.

    python scripts/screenshot.py http://127.0.0.1:7860 "mood" "follow-up" docs/screenshot.png
"""

from __future__ import annotations

import sys
import time

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"


def main(url: str, mood: str, follow_up: str, out: str, wait_s: float = 240) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(url)
        page.wait_for_selector("#mood textarea", timeout=60_000)
        page.locator("#mood textarea").fill(mood)
        page.locator("#go").click()
        page.wait_for_selector("#results .mr-card", timeout=wait_s * 1000)
        if follow_up:
            before = page.locator("#understood").inner_text()
            page.locator("#follow-up textarea, #follow-up input").first.fill(follow_up)
            page.locator("#refine").click()
            deadline = time.monotonic() + wait_s
            while page.locator("#understood").inner_text() == before and time.monotonic() < deadline:
                time.sleep(2)  # the refined search runs after the first search's pitches
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:  # until every card's pitch is written
            text = page.locator("#results").inner_text()
            if "writing" not in text.lower() and page.locator("#results .mr-pitch").count() >= 6:
                break
            time.sleep(5)
        page.screenshot(path=out, full_page=True)
        print(page.locator("#understood").inner_text()[:500])
        print(page.locator("#results").inner_text()[:6000])
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:5])
