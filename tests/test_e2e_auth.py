"""The real app with MOODREEL_AUTH in a real browser (issue 13, items 1 and 6): without the
login nothing is served; with it (HTTP Basic, as a browser sends it) the page searches and
takes an uploaded watch history, and the uploaded file is gone once it was read."""

import time

import httpx
import pytest

from tests.conftest import served_app

pytestmark = pytest.mark.e2e
USER, PASSWORD = "ann", "open-sesame"
HISTORY = (
    "user_id,content_name,rating,watch_time_minutes\n"
    "ann,Inception,5,148\nann,The Dark Knight Rises,5,160\nann,Se7en,4,120\nann,Forrest Gump,2,30\n"
)


@pytest.fixture(scope="module")
def guarded_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e-auth")
    tmp = root / "tmp"
    tmp.mkdir()
    env = {
        "MOODREEL_PITCHES_PER_SEARCH": "0",
        "MOODREEL_AUTH": f"{USER}:{PASSWORD}",
        "TMPDIR": str(tmp),  # the server's private upload folder is made here
    }
    with served_app(root, env, auth=(USER, PASSWORD)) as url:
        yield url, tmp, root
    assert not list(tmp.glob("moodreel-uploads-*")), "the upload folder outlived the server"


def test_without_the_login_nothing_is_served(guarded_app, browser):
    from playwright.sync_api import Error

    url, _, _ = guarded_app
    page = browser.new_page()
    with pytest.raises(Error, match="ERR_INVALID_AUTH_CREDENTIALS"):  # a Basic challenge, and no login
        page.goto(url, wait_until="load")
    response = page.request.get(url)
    assert response.status == 401 and "login required" in response.text()
    for path in ("/api/health", "/docs", "/openapi.json", "/gradio_api/info"):
        assert httpx.get(url + path).status_code == 401, path
        assert httpx.get(url + path, auth=(USER, "nope")).status_code == 401, path


def test_with_the_login_the_page_searches_and_forgets_the_upload(guarded_app, browser, tmp_path):
    url, tmp, _ = guarded_app
    context = browser.new_context(http_credentials={"username": USER, "password": PASSWORD})
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.locator("#mood textarea").wait_for(timeout=60_000)
    page.locator("#mood textarea").fill("I want to laugh until I cry")
    page.locator("#go").click()
    page.locator(".mr-card h3").first.wait_for(timeout=60_000)
    assert page.locator(".mr-card h3").count() > 0

    history = tmp_path / "my_history.csv"
    history.write_text(HISTORY)
    page.get_by_text("Viewers (personalize with a watch history)").click()
    page.locator("input[type=file]").set_input_files(str(history))
    uploads = lambda: [p for p in tmp.glob("moodreel-uploads-*/**/*.csv")]  # noqa: E731
    # the file's row names it in aria-label; its text is split into stem and extension, which
    # innerText may put on two lines depending on the layout, so the text is no reliable signal
    page.locator('td.filename[aria-label="my_history.csv"]').wait_for(timeout=60_000)
    for _ in range(100):  # the server moves the upload into its folder just after answering
        if uploads():
            break
        time.sleep(0.1)
    assert uploads(), "the upload did not arrive in the server's private folder"
    page.get_by_label("Your user_id in that file").fill("ann")
    page.locator("#use-viewers").click()
    page.wait_for_function("() => document.body.innerText.includes('Viewer ann')", timeout=60_000)
    assert uploads() == []  # read, then deleted
    context.close()
