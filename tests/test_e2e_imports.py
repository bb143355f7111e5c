"""Issue 23 in a real browser: a Netflix export uploaded on the page becomes a viewer whose
summary shows; a follow-up changes the chips and the cards, Undo brings the cards back; "Not
interested" takes a card away.

The same set-up as tests/test_e2e_browser.py (the small catalog, the real server, Debian's chromium).
"""

import pytest

from tests.conftest import FIXTURES, served_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e-imports")
    with served_app(root, {"MOODREEL_PITCHES_PER_SEARCH": "0"}) as url:
        yield url


def open_page(browser, app_url):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(app_url, wait_until="load")
    page.locator("#mood textarea").wait_for(timeout=60_000)
    return page


def cards(page) -> list[str]:
    return page.locator(".mr-card:not(.mr-gone) h3").all_inner_texts()


def test_an_uploaded_netflix_export_makes_a_viewer_and_results_skip_what_they_saw(app_url, browser, tmp_path):
    page = open_page(browser, app_url)
    page.get_by_text("Viewers (personalize with a watch history)").click()
    page.locator("#history-upload input[type=file]").set_input_files(
        str(FIXTURES / "exports" / "NetflixViewingHistory.csv")
    )
    page.locator("#upload-user textarea, #upload-user input").first.fill("sam")
    page.wait_for_timeout(500)  # the upload lands before the button reads it
    page.locator("#use-viewers").click()
    status = page.locator("#viewer-status")
    status.get_by_text("Viewer sam").wait_for(timeout=60_000)
    text = status.inner_text()
    assert "who enjoys" in text and "2 titles not matched, 1 rows skipped" in text, text
    page.locator("#mood textarea").fill("a tense thriller")
    page.locator("#go").click()
    page.locator(".mr-card h3").first.wait_for(timeout=60_000)
    assert not {"Breaking Bad", "Stranger Things", "Inception"} & set(cards(page))


def test_a_follow_up_changes_the_chips_and_undo_restores_the_cards(app_url, browser):
    page = open_page(browser, app_url)
    page.locator("#mood textarea").fill("a tense thriller")
    page.locator("#go").click()
    page.locator(".mr-card h3").first.wait_for(timeout=60_000)
    before = cards(page)
    page.locator("#follow-up textarea, #follow-up input").first.fill("only movies")
    page.locator("#refine").click()
    page.locator("#understood").get_by_text("type: movie").wait_for(timeout=60_000)
    page.wait_for_function("() => !document.querySelector('#follow-up textarea, #follow-up input').value")
    metas = page.locator(".mr-card .mr-meta").all_inner_texts()
    assert metas and all(m.startswith("movie") for m in metas), metas
    page.locator("#undo-refine").click()
    page.wait_for_function(
        "() => !Array.from(document.querySelectorAll('#understood label')).some(l => l.innerText.includes('type: movie'))",
        timeout=60_000,
    )
    assert cards(page) == before


def test_not_interested_takes_the_card_away(app_url, browser):
    page = open_page(browser, app_url)
    page.get_by_text("Viewers (personalize with a watch history)").click()
    page.locator("#history-upload input[type=file]").set_input_files(
        str(FIXTURES / "exports" / "ratings.csv")
    )
    page.locator("#upload-user textarea, #upload-user input").first.fill("lb")
    page.wait_for_timeout(500)
    page.locator("#use-viewers").click()
    page.locator("#viewer-status").get_by_text("Viewer lb").wait_for(timeout=60_000)
    page.locator("#mood textarea").fill("something to make me laugh")
    page.locator("#go").click()
    page.locator(".mr-card h3").first.wait_for(timeout=60_000)
    gone = cards(page)[0]
    page.locator(".mr-card").first.locator(".mr-hide").click()
    page.locator("#feedback").get_by_text("Hidden for good").wait_for(timeout=60_000)
    assert gone not in cards(page)
    page.locator("#go").click()  # the same search again: new cards, and it stays away
    page.wait_for_function("() => !document.querySelector('.mr-card.mr-gone')", timeout=60_000)
    page.locator(".mr-card h3").first.wait_for(timeout=60_000)
    assert gone not in cards(page) and len(cards(page)) == 6
