"""Issue 14 in a real browser: "More like this" on a card shows new cards; 👍 on a card is
noted for the picked viewer, can be undone, and the next search no longer shows the title.

The same set-up as tests/test_e2e_browser.py (the small catalog, the real server, Debian's
chromium), plus a small watch history so there are sample viewers to pick.
"""

import pytest

from tests.conftest import served_app

pytestmark = pytest.mark.e2e
HISTORY = """user_id,content_name,rating,watch_time_minutes
laugher,Life of Brian,5,94
laugher,Dumb and Dumber,5,107
laugher,Mean Girls,4,97
laugher,The Conjuring,1,30
laugher,Insidious,1,20
"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e-features")
    (root / "data").mkdir()
    (root / "data" / "viewing_history.csv").write_text(HISTORY)
    with served_app(root, {"MOODREEL_PITCHES_PER_SEARCH": "0"}) as url:
        yield url


def search(page, mood: str) -> list[str]:
    page.locator("#mood textarea").fill(mood)
    page.locator("#go").click()
    page.locator(".mr-card h3").first.wait_for(timeout=60_000)
    page.wait_for_function(
        "m => { const e = document.querySelector('.mr-mood'); return e && e.innerText === m; }", arg=mood
    )
    return page.locator(".mr-card h3").all_inner_texts()


def test_more_like_this_on_a_card_shows_new_cards_and_the_url_keeps_the_mood(app_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(app_url, wait_until="load")
    page.locator("#mood textarea").wait_for(timeout=60_000)
    search(page, "I want to laugh until I cry")
    page.wait_for_function("() => location.search.includes('mood=I+want+to+laugh')", timeout=10_000)
    first = page.locator(".mr-card").first
    seed = first.locator("h3").inner_text()
    first.locator(".mr-like").click()
    page.locator(".mr-heading").wait_for(timeout=60_000)
    assert page.locator(".mr-heading").inner_text().startswith(f"More like {seed}")
    titles = page.locator(".mr-card h3").all_inner_texts()
    assert titles and seed not in titles
    assert (
        page.locator(".mr-card .mr-imdb")
        .first.get_attribute("href")
        .startswith("https://www.imdb.com/title/tt")
    )
    # a reload with the URL runs the same search again
    page.goto(app_url + "/?mood=something+scary&k=3", wait_until="load")
    page.wait_for_function(
        "() => { const e = document.querySelector('.mr-mood'); return e && e.innerText === 'something scary'; }",
        timeout=60_000,
    )
    assert page.locator(".mr-card").count() == 3
    assert page.locator("#mood textarea").input_value() == "something scary"


def test_thumbs_up_on_a_card_is_noted_undone_and_changes_the_next_search(app_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(app_url, wait_until="load")
    page.locator("#mood textarea").wait_for(timeout=60_000)
    page.get_by_text("Viewers (personalize with a watch history)").click()
    page.locator("#sample-viewers input").click()
    page.get_by_role("option", name="laugher").click()
    page.locator("#use-viewers").click()
    page.locator("#viewer-status").get_by_text("laugher").wait_for(timeout=60_000)
    before = search(page, "something fun tonight")
    liked = before[0]
    page.locator(".mr-card").first.locator(".mr-up").click()
    page.locator("#feedback").get_by_text("👍 noted").wait_for(timeout=60_000)
    page.locator("#feedback .mr-undo").click()
    page.locator("#feedback").get_by_text("Vote undone").wait_for(timeout=60_000)
    page.locator(".mr-card").first.locator(".mr-up").click()
    page.locator("#feedback").get_by_text("👍 noted").wait_for(timeout=60_000)
    page.locator("#mood textarea").fill("")
    after = search(page, "something fun tonight!")
    assert liked not in after  # a rated title is not shown again, and the taste moved
