"""The real app in a real browser: Debian's chromium driven by Playwright, a small real store."""

import os
import shutil

import pytest

from tests.conftest import served_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with served_app(tmp_path_factory.mktemp("e2e"), {}) as url:  # every card pitched (the default)
        yield url


def test_mood_to_cards_to_a_pitch_tagline_and_poster_on_every_card(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(app_url, wait_until="load")
    page.locator("#mood textarea").wait_for(timeout=60_000)
    page.locator("#mood textarea").fill("I want to laugh until I cry")
    page.locator("#k input[type=number]").fill("3")
    page.locator("#k input[type=number]").press("Enter")
    page.locator("#go").click()
    page.locator(".mr-card h3").first.wait_for(timeout=60_000)
    titles = page.locator(".mr-card h3").all_inner_texts()
    assert len(titles) == 3 and all(t.strip() for t in titles)
    assert page.locator(".mr-emojis").first.inner_text().strip()
    # every card: a finished pitch, a tagline and a loaded poster thumbnail
    page.wait_for_function(
        """() => { const cards = [...document.querySelectorAll('.mr-card')];
          return cards.length === 3 && cards.every(c => {
            const p = c.querySelector('.mr-pitch'), t = c.querySelector('.mr-tagline'),
                  img = c.querySelector('.mr-poster img');
            return p && p.innerText.length > 30 && !p.innerText.includes('writing a pitch')
              && t && t.innerText.trim() && img && img.complete && img.naturalWidth > 0; }); }""",
        timeout=300_000,
    )
    poster = page.locator(".mr-poster img").first.get_attribute("src")
    assert poster.startswith("/api/poster/") and "mood=" in poster
    assert page.locator(".mr-poster a[download]").count() == 3
    page.screenshot(path=str(tmp_path / "app.png"), full_page=True)
    if os.environ.get("MOODREEL_SCREENSHOT"):  # e.g. docs/screenshot.png, for the README
        shutil.copy(tmp_path / "app.png", os.environ["MOODREEL_SCREENSHOT"])
    assert (tmp_path / "app.png").stat().st_size > 10_000


def test_script_in_mood_is_shown_as_text(app_url, browser):
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(app_url, wait_until="load")
    page.locator("#mood textarea").wait_for(timeout=60_000)
    page.locator("#mood textarea").fill("<script>alert(1)</script>")
    page.locator("#go").click()
    page.locator(".mr-mood").wait_for(timeout=60_000)
    assert page.locator(".mr-mood").inner_text() == "<script>alert(1)</script>"
    assert page.locator("#results script").count() == 0
    assert dialogs == []
