"""A client that leaves stops its pitches (issue 13, item 5): a real uvicorn server, a slow
fake LLM, an HTTP client that gives up."""

from __future__ import annotations

import threading
import time

import httpx
import uvicorn

from moodreel.application import Moodreel
from moodreel.local_server import free_port
from moodreel.search.recommender import Recommender
from moodreel.server import create_api
from tests.fakes import FixedMoodParser
from tests.test_pitch_tagline import WordStreamModel
from tests.test_search import CATALOG, _services

ANSWER = "Tagline: Dread\nPitch: " + " ".join(["You will not sleep tonight."] * 3)


def test_pitches_stop_when_the_client_leaves(tmp_path):
    services = _services(tmp_path, CATALOG)
    slow = WordStreamModel(pause=0.3).enqueue(*[ANSWER] * 6)
    services._chat_model = slow
    app = Moodreel(services, Recommender.from_services(services, FixedMoodParser(["fear"])))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_api(app, services.settings, with_ui=False), port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        body = {"mood": "scare me", "k": 3, "pitch": True}
        try:  # three pitches take ~3 x 15 words x 0.3 s; the client leaves after 1.5 s
            httpx.post(f"http://127.0.0.1:{port}/api/recommend", json=body, timeout=1.5)
            raise AssertionError("the request should have outlived the client's patience")
        except httpx.TimeoutException:
            pass
        time.sleep(2.5)  # the server notices (it polls every 0.5 s) and stops writing
        pulled = sum(slow._pulled)
        time.sleep(2.0)
        assert sum(slow._pulled) == pulled, "the LLM kept writing for a client that left"
        assert len(slow._pulled) == 1  # only the first card's pitch was started
    finally:
        server.should_exit = True
        thread.join(timeout=10)
