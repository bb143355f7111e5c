"""The server's edges under hostile input (issue 13, items 1 and 4): the login on every route,
bounded work per request, short 422s, and a server that stops promptly on SIGTERM."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect

from moodreel.application import Moodreel
from moodreel.filters import MAX_ITEMS, SearchFilters
from moodreel.records import Title
from moodreel.search.recommender import Recommender
from moodreel.server import SHUTDOWN_GRACE_S, create_api
from moodreel.services import build_services
from moodreel.settings import Settings
from tests.conftest import PROJECT
from tests.fakes import DictStore, FixedMoodParser, HashEmbedder, QueueChatModel, index_titles

CATALOG = [
    (Title(id="h1", title="Night Terror", type="MOVIE", genres=("horror",)), ["dread", "fear"]),
    (Title(id="c1", title="Big Laughs", type="MOVIE", genres=("comedy",)), ["joy", "amusement"]),
]
USER, PASSWORD = "ann", "s3cret:with-colon"


def make_client(tmp_path, with_ui: bool = False, **settings) -> TestClient:
    embedder, store = HashEmbedder(), DictStore()
    index_titles(store, embedder, CATALOG)
    config = Settings(data_dir=tmp_path, **settings)
    services = build_services(config, embedder=embedder, store=store, chat_model=QueueChatModel())
    app = Moodreel(services, Recommender.from_services(services, FixedMoodParser(["dread"])))
    return TestClient(create_api(app, config, with_ui=with_ui))


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"authorization": f"Basic {token}"}


# ---- 1. the login covers every route ------------------------------------------------------

ROUTES = [
    ("GET", "/"),
    ("GET", "/api/health"),
    ("POST", "/api/recommend"),
    ("POST", "/api/like"),
    ("POST", "/api/journey"),
    ("POST", "/api/vote"),
    ("GET", "/api/poster/h1"),
    ("GET", "/docs"),
    ("GET", "/openapi.json"),
    ("GET", "/gradio_api/info"),
    ("GET", "/config"),
    ("GET", "/theme.css"),
    ("GET", "/manifest.json"),
    ("GET", "/gradio_api/file=/etc/hostname"),
    ("POST", "/gradio_api/upload"),
    ("GET", "/no/such/route"),
]
WRONG = [
    {},
    basic(USER, "wrong"),
    basic("bob", PASSWORD),
    basic(USER, PASSWORD[:-1]),
    basic(USER, ""),
    {"authorization": "Bearer " + PASSWORD},
    {"authorization": "Basic !!not-base64!!"},
    {"authorization": "Basic " + base64.b64encode(USER.encode()).decode()},  # no colon
]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    return make_client(tmp_path_factory.mktemp("guarded"), with_ui=True, auth=f"{USER}:{PASSWORD}")


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_needs_the_login(guarded, method, path):
    for headers in WRONG:
        response = guarded.request(method, path, headers=headers, json={"mood": "scare me"})
        assert response.status_code == 401, (path, headers)
        assert response.headers["www-authenticate"].startswith('Basic realm="moodreel"')
        assert response.json() == {"detail": "login required"}
    response = guarded.request(method, path, headers=basic(USER, PASSWORD), json={"mood": "scare me"})
    assert response.status_code != 401


def test_with_the_login_the_api_answers(guarded):
    ok = basic(USER, PASSWORD)
    assert guarded.get("/api/health", headers=ok).json() == {
        "status": "ok",
        "titles": 2,
        "pitch_wait_s": None,
    }
    body = guarded.post("/api/recommend", headers=ok, json={"mood": "scare me", "k": 1}).json()
    assert body["results"][0]["id"] == "h1"
    assert "moodreel" in guarded.get("/", headers=ok).text


def test_websockets_need_the_login_too(guarded):
    with pytest.raises(WebSocketDisconnect) as closed, guarded.websocket_connect("/gradio_api/ws"):
        pass
    assert closed.value.code == 1008


def test_credentials_are_compared_in_constant_time(guarded, monkeypatch):
    import secrets

    calls, real = [], secrets.compare_digest

    def recording(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("moodreel.http_guards.secrets.compare_digest", recording)
    assert guarded.get("/api/health", headers=basic("bob", "x")).status_code == 401
    # the password is compared even when the user name is already wrong (no early exit)
    assert calls == [(b"bob", USER.encode()), (b"x", PASSWORD.encode())]


def test_without_auth_the_app_stays_open(tmp_path):
    assert make_client(tmp_path).get("/api/health").status_code == 200


@pytest.mark.parametrize("value", ["nocolon", ":password", "user:"])
def test_a_malformed_auth_setting_is_refused(value):
    with pytest.raises(ValidationError, match="user:password"):
        Settings(auth=value)


# ---- 4. bounded work per request ------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make_client(tmp_path_factory.mktemp("open"))


def post_raw(client: TestClient, raw: str | bytes) -> httpx.Response:
    return client.post("/api/recommend", content=raw, headers={"content-type": "application/json"})


@pytest.mark.serial  # timing-sensitive: runs alone, after the parallel run
def test_a_body_over_the_cap_gets_413_before_it_is_parsed(client):
    started = time.monotonic()
    huge = json.dumps({"mood": "x", "filters": {"genres": ["g"] * 300_000}})  # the 22-minute request
    response = post_raw(client, huge)
    assert response.status_code == 413 and len(response.content) < 200
    assert time.monotonic() - started < 5
    assert post_raw(client, json.dumps({"mood": "x" * 2_000_000})).status_code == 413


def test_a_smaller_cap_is_a_setting(tmp_path):
    small = make_client(tmp_path, max_request_bytes=2048)
    assert post_raw(small, json.dumps({"mood": "x" * 3000})).status_code == 413
    assert post_raw(small, json.dumps({"mood": "scare me"})).status_code == 200


BAD_BODIES = [
    # (raw JSON, the field the 422 must name, words of the message)
    ('{"mood": "x", "filters": {"min_imdb_score": NaN}}', ["body", "filters", "min_imdb_score"], "finite"),
    ('{"mood": "x", "filters": {"min_year": Infinity}}', ["body", "filters", "min_year"], "finite"),
    ('{"mood": "x", "k": -Infinity}', ["body", "k"], "finite"),
    ('{"mood": "x", "k": NaN}', ["body", "k"], "finite"),
    # a count is a JSON number: not "5", not true, not 5.5 (5.0 is 5, as JSON Schema says)
    ('{"mood": "x", "k": "5"}', ["body", "k"], "valid integer"),
    ('{"mood": "x", "k": true}', ["body", "k"], "valid integer"),
    ('{"mood": "x", "k": 5.5}', ["body", "k"], "integer"),
    ('{"mood": "x", "pitch": "yes"}', ["body", "pitch"], "valid boolean"),
    ('{"mood": "x", "include_watched": 1}', ["body", "include_watched"], "valid boolean"),
    ('{"mood": 7}', ["body", "mood"], "valid string"),
    (
        '{"mood": "x", "user_id": "u", "history": [{"content_name": "Night Terror", "rating": NaN,'
        ' "watch_time_minutes": 1}]}',
        ["body", "history", 0, "rating"],
        "finite",
    ),
    (
        '{"mood": "x", "user_id": "u", "history": [{"content_name": "Night Terror", "rating": 4,'
        ' "watch_time_minutes": Infinity}]}',
        ["body", "history", 0, "watch_time_minutes"],
        "finite",
    ),
    ('{"mood": "\\ud800 lonely"}', ["body", "mood"], "unicode"),
    ('{"mood": "x", "user_id": "\\udfff"}', ["body", "user_id"], "unicode"),
    ('{"mood": "x", "filters": {"genres": ["\\ud83d"]}}', ["body", "filters", "genres"], "not a genre name"),
    (json.dumps({"mood": "x", "filters": {"genres": ["drama"] * (MAX_ITEMS + 1)}}), ["body", "filters", "genres"], "at most 50"),
    (json.dumps({"mood": "x", "filters": {"countries": ["US"] * 1000}}), ["body", "filters", "countries"], "at most 50"),
    (json.dumps({"mood": "x", "filters": {"age_certifications": ["R"] * 51}}), ["body", "filters", "age_certifications"], "at most 50"),
    (json.dumps({"mood": "m" * 10_001}), ["body", "mood"], "at most 10000"),
    (json.dumps({"mood": "x", "user_id": "u", "history": [{"content_name": "n" * 501}]}), ["body", "history", 0, "content_name"], "at most 500"),
    (json.dumps({"mood": "x", "user_id": "u", "history": [{str(i): 1 for i in range(9)}]}), ["body", "history", 0], "at most 8"),
    (json.dumps({"mood": "x", "user_id": "u", "history": [{}] * 5001}), ["body", "history"], "at most 5000"),
    (json.dumps({"mood": "x", "users": ["u" * 201]}), ["body", "users", 0], "at most 200"),
    ('{"mood": "x", "users": ["\\ud800"]}', ["body", "users", 0], "unicode"),
]  # fmt: skip


OTHER_ENDPOINTS = [
    ("/api/like", '{"title": "Night Terror", "k": NaN}', ["body", "k"], "finite"),
    ("/api/like", '{"id": null}', ["body", "id"], "valid string"),
    ("/api/like", '{"title": "Night Terror", "k": "2"}', ["body", "k"], "valid integer"),
    ("/api/like", '{"id": "x\'] or id in [\'h1"}', ["body", "id"], "pattern"),
    ("/api/like", '{"id": "x\\\\"}', ["body", "id"], "pattern"),
    ("/api/like", json.dumps({"title": "t" * 513}), ["body", "title"], "at most 512"),
    ("/api/journey", '{"from": "sad", "to": "happy", "steps": Infinity}', ["body", "steps"], "finite"),
    ("/api/journey", '{"from": "\\udc00", "to": "happy"}', ["body", "from"], "unicode"),
    ("/api/vote", '{"user_id": "u", "id": "h1", "vote": -Infinity}', ["body", "vote"], "finite"),
    ("/api/vote", '{"user_id": "u", "id": "h1", "vote": true}', ["body", "vote"], "valid integer"),
    (
        "/api/vote",
        '{"user_id": "u", "id": "x\'] or id like \'%\' or id in [\'", "vote": 1}',
        ["body", "id"],
        "pattern",
    ),
]


@pytest.mark.parametrize(("raw", "loc", "words"), BAD_BODIES)
def test_bad_values_get_a_short_422_naming_the_field(client, raw, loc, words):
    check_short_422(post_raw(client, raw), loc, words)


@pytest.mark.parametrize(("path", "raw", "loc", "words"), OTHER_ENDPOINTS)
def test_the_other_endpoints_refuse_bad_values_the_same_way(client, path, raw, loc, words):
    check_short_422(client.post(path, content=raw, headers={"content-type": "application/json"}), loc, words)


def check_short_422(response: httpx.Response, loc: list, words: str) -> None:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert any(e["loc"][: len(loc)] == loc and words in e["msg"] for e in detail), detail
    assert all(set(e) == {"loc", "msg", "type"} for e in detail)  # no "input" echoed back
    assert len(response.content) < 1500


def test_a_huge_bad_value_is_never_echoed(client):
    for raw in (
        json.dumps({"mood": "é" * 300_000}, ensure_ascii=False),
        json.dumps({"mood": "x", "filters": {"genres": ["Z" * 900_000]}}),
        json.dumps({"mood": "x", "k": "9" * 900_000}),
        json.dumps({"mood": "x", "user_id": "u", "history": [{"content_name": "Jaws", "rating": "r" * 400}]}),
    ):
        response = post_raw(client, raw)
        assert response.status_code == 422
        assert len(response.content) < 1500, response.text[:300]


def test_many_errors_are_capped(client):
    rows = [{"content_name": "Jaws", "rating": "NaN?", "watch_time_minutes": {}} for _ in range(100)]
    response = post_raw(client, json.dumps({"mood": "x", "user_id": "u", "history": rows}))
    detail = response.json()["detail"]
    assert response.status_code == 422 and len(detail) == 11 and detail[-1]["type"] == "too_many"


def test_list_caps_hold_for_filters_built_in_code():
    with pytest.raises(ValidationError, match="at most 50"):
        SearchFilters(exclude_genres=[f"g{i}" for i in range(51)])
    assert len(SearchFilters(genres=[f"g{i}" for i in range(50)]).genres) == 50


# ---- 4. SIGTERM stops a busy server ---------------------------------------------------------


@pytest.mark.serial  # timing-sensitive: runs alone, after the parallel run
def test_sigterm_stops_a_busy_server_promptly(tmp_path):
    """A request still working (a parser busy for 10 minutes) and an open event stream must not
    keep a stopped server alive: SIGTERM ends it within the grace period."""
    from moodreel.local_server import free_port

    port = free_port()
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.slow_server", str(port), str(tmp_path)],
        cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.3)

        def busy_request():
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(f"{base}/api/recommend", json={"mood": "slow"}, timeout=120)

        def open_stream():
            try:
                with httpx.stream("GET", f"{base}/gradio_api/heartbeat/x", timeout=120) as stream:
                    for _ in stream.iter_bytes():
                        pass
            except httpx.HTTPError:
                pass

        uploads = Path((tmp_path / "uploads.txt").read_text())
        assert uploads.is_dir()
        (uploads / "abc").mkdir()
        (uploads / "abc" / "history.csv").write_text("user_id,content_name,rating,watch_time_minutes\n")
        for target in (busy_request, open_stream):
            threading.Thread(target=target, daemon=True).start()
        time.sleep(1.5)  # both are in the server now
        assert proc.poll() is None
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=SHUTDOWN_GRACE_S + 15)
        assert time.monotonic() - started < SHUTDOWN_GRACE_S + 10
        assert code == 0, (tmp_path / "server.log").read_text()[-2000:]
        assert not uploads.exists(), "the uploads outlived the server"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def test_history_rows_belong_to_the_body_user_whatever_they_say(tmp_path):
    client = make_client(tmp_path)
    rows = [{"user_id": "mallory", "content_name": "Night Terror", "rating": 5, "watch_time_minutes": 90}]
    response = client.post("/api/recommend", json={"mood": "tonight", "user_id": "ann", "history": rows})
    assert response.status_code == 200, response.text
    assert "h1" not in {r["id"] for r in response.json()["results"]}  # ann's watched title is left out
