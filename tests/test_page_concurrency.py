"""Two visitors at once in the real Gradio page: the second one's cards never wait for the
first one's pitches (issue 13, item 5). A slow fake LLM, a real Gradio server and client."""

from __future__ import annotations

import threading
import time

import pytest

from moodreel.application import Moodreel
from moodreel.local_server import free_port
from moodreel.search.recommender import Recommender
from moodreel.webapp import create_app
from tests.fakes import FixedMoodParser
from tests.test_pitch_tagline import WordStreamModel
from tests.test_search import CATALOG, _services

ANSWER = "Tagline: Dread in the dark woods\nPitch: " + " ".join(["You will not sleep tonight."] * 3)


@pytest.fixture
def page_url(tmp_path):
    services = _services(tmp_path, CATALOG)
    slow = WordStreamModel(pause=0.25).enqueue(*[ANSWER] * 12)
    services._chat_model = slow
    app = Moodreel(services, Recommender.from_services(services, FixedMoodParser(["fear"])))
    demo = create_app(app, with_viewers=False, posters=False)
    port = free_port()
    demo.queue().launch(server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.mark.serial  # timing-sensitive: runs alone, after the parallel run
def test_a_second_visitors_cards_do_not_wait_for_the_first_visitors_pitches(page_url):
    from gradio_client import Client

    args = ("scare me", 3, "Any", [], [], None, None, None)
    first_pages: list[float] = []
    start = time.monotonic()

    def first_visitor() -> None:
        for _ in Client(page_url, verbose=False).submit(*args, api_name="/search"):
            first_pages.append(time.monotonic() - start)

    runner = threading.Thread(target=first_visitor)
    runner.start()
    while not first_pages:  # the first visitor has cards and its pitches are being written
        time.sleep(0.05)
        assert time.monotonic() - start < 60
    second = Client(page_url, verbose=False).submit(*args, api_name="/search")
    asked = time.monotonic()
    for page in second:
        assert "mr-card" in page[0]  # the second visitor's first page already has the cards
        break
    waited = time.monotonic() - asked
    runner.join()
    first_done = first_pages[-1]
    assert first_done > 6  # three slow pitches: seconds of writing...
    assert waited < 3, f"the second visitor waited {waited:.1f} s for cards"  # ...not waited for
