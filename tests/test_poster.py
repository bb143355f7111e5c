"""Poster cards (issue 12): palette, SVG and PNG offline, the disk cache, an images endpoint
(a real OpenAI client against a small local server) with fallback, and the API."""

from __future__ import annotations

import base64
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from moodreel.application import Moodreel
from moodreel.poster.card import PosterFacts, poster_svg
from moodreel.poster.images import ImageEndpoint
from moodreel.poster.maker import PosterMaker
from moodreel.poster.palette import NEUTRAL, palette
from moodreel.poster.render import svg_to_png
from moodreel.search.recommender import Recommender
from tests.fakes import FixedMoodParser
from tests.test_search import CATALOG, _services

PNG = b"\x89PNG\r\n\x1a\n"
FACTS = PosterFacts(
    title="Night <Terror> & Co",
    tagline="Dread follows you home",
    emojis="🌲👧🌙",
    feelings=("dread", "terror", "fear"),
    genres=("horror",),
    year=2001,
)


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_the_palette_follows_the_feelings():
    dark_top, dark_bottom, dark_ink = palette(["dread", "terror", "menace"])
    light_top, _, light_ink = palette(["joy", "amusement", "laughter"])
    assert _luminance(light_top) > _luminance(dark_top) + 60
    assert dark_ink == "#ffffff" and light_ink == "#111111"  # readable on each
    assert palette(["unheard-of"])[:2] == NEUTRAL


def test_the_svg_escapes_text_and_the_png_is_a_poster():
    svg = poster_svg(FACTS)
    assert "Night &lt;Terror&gt; &amp; Co" in svg and "<Terror>" not in svg
    image = Image.open(io.BytesIO(svg_to_png(svg)))
    assert image.format == "PNG" and image.size == (600, 900)
    # not a blank canvas: the gradient and the text give many colours
    assert len(image.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 100


def test_cards_are_made_once_and_kept_in_memory_only(tmp_path, monkeypatch):
    maker = PosterMaker(tmp_path / "posters")
    first = maker.make(FACTS)
    assert first.startswith(PNG) and not (tmp_path / "posters").exists()  # no mood-derived text on disk
    monkeypatch.setattr("moodreel.poster.maker.svg_to_png", lambda svg: pytest.fail("rendered twice"))
    assert maker.make(FACTS) == first
    other = PosterFacts(**{**FACTS.__dict__, "tagline": "Another line"})
    monkeypatch.undo()
    assert maker.make(other) != first  # the tagline is part of the poster


class _ImagesServer:
    """An OpenAI-compatible images endpoint on localhost: answers ``fail`` or a PNG, counts calls."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[dict] = []
        outer = self
        picture = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 10, 10)).save(picture, "PNG")
        self.picture = picture.getvalue()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.calls.append({"path": self.path, **body})
                if fail:
                    self.send_response(500)
                    self.end_headers()
                    return
                payload = json.dumps(
                    {"created": 1, "data": [{"b64_json": base64.b64encode(outer.picture).decode()}]}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()


def test_an_images_endpoint_is_used_and_its_picture_kept(tmp_path):
    server = _ImagesServer()
    try:
        maker = PosterMaker(tmp_path, ImageEndpoint(server.url, "sd-local", timeout_s=10))
        assert maker.make(FACTS) == server.picture
        assert maker.make(FACTS) == server.picture and len(server.calls) == 1
        assert len(list(tmp_path.glob("*.png"))) == 1  # kept on disk: made once, even after a restart
        again = PosterMaker(tmp_path, ImageEndpoint(server.url, "sd-local", timeout_s=10))
        assert again.make(FACTS) == server.picture and len(server.calls) == 1
        call = server.calls[0]
        assert call["path"].endswith("/images/generations") and call["model"] == "sd-local"
        assert "dread" in call["prompt"] and "No text" in call["prompt"]
    finally:
        server.close()


def test_a_failing_images_endpoint_falls_back_to_the_card(tmp_path):
    server = _ImagesServer(fail=True)
    try:
        maker = PosterMaker(tmp_path, ImageEndpoint(server.url, "sd-local", timeout_s=10))
        assert maker.make(FACTS).startswith(PNG) and server.calls
    finally:
        server.close()


# ---- the API ------------------------------------------------------------------------------------


@pytest.fixture
def api(tmp_path):
    from moodreel.server import create_api

    services = _services(tmp_path, CATALOG)
    app = Moodreel(services, Recommender.from_services(services, FixedMoodParser(["fear"])))
    return app, services, TestClient(create_api(app, services.settings, with_ui=False))


def test_the_poster_api_gives_a_png_and_404s_bad_ids(api):
    _, _, client = api
    ok = client.get("/api/poster/h1", params={"mood": "scare me"})
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/png" and ok.content.startswith(PNG)
    missing = client.get("/api/poster/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]
    viewer = client.get("/api/poster/h1", params={"user_id": "nobody-here"})
    assert viewer.status_code == 404 and "nobody-here" in viewer.json()["detail"]


def test_recommend_with_pitch_fills_pitch_and_tagline_for_every_result_and_the_poster_shows_it(api):
    app, services, client = api
    services.chat_model.enqueue(
        "Tagline: A night of dread\nPitch: You wanted a scare, and Night Terror brings dread.",
        "Tagline: Laughs to drown the fear\nPitch: You will laugh until the fear is gone. Bring a friend.",
        "Tagline: Rain, love and longing\nPitch: You will fall for this one. Keep tissues near.",
    )
    body = client.post("/api/recommend", json={"mood": "scare me", "k": 3, "pitch": True}).json()
    assert len(body["results"]) == 3
    for rec in body["results"]:
        assert rec["pitch"] and rec["tagline"] and len(rec["tagline"].split()) <= 12
    night = next(r for r in body["results"] if r["id"] == "h1")
    assert night["tagline"] == "A night of dread"
    # the poster of that pick, for that mood, carries the tagline its pitch was written with
    poster = client.get("/api/poster/h1", params={"mood": "scare me"}).content
    expected = services.posters.make(
        PosterFacts(
            title="Night Terror",
            tagline="A night of dread",
            emojis=services.store.get(["h1"])[0].emojis,
            feelings=tuple(services.store.get(["h1"])[0].emotions),
            genres=("horror",),
            year=2001,
        )
    )
    assert poster == expected
