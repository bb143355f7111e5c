"""The holes an outside probe found (issue 19), each closed and each tested by sending the
attacking request itself:

1. ids pasted into Milvus expressions (``MilvusClient.get`` writes ``id in ['<id>']``): a quote
   or a backslash gave a 500, and a crafted id rewrote the query (``x'] or id in ['h1`` returned
   h1). Tested on a real Milvus Lite store, on every route that takes an id.
2. the page's history upload read (and then deleted!) any file the request named on the server.
3. the upload folder served back through Gradio's older ``/gradio_api/file/<path>`` route.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import gradio as gr
import pytest
from fastapi.testclient import TestClient

from moodreel.application import Moodreel, TitleNotFound
from moodreel.records import Title, is_title_id
from moodreel.search.recommender import Recommender
from moodreel.server import create_api
from moodreel.services import build_services
from moodreel.settings import Settings
from moodreel.signals import Layout
from moodreel.store import MilvusStore
from tests.fakes import FixedMoodParser, HashEmbedder, QueueChatModel, index_titles

CATALOG = [
    (Title(id="h1", title="Night Terror", type="MOVIE", genres=("horror",)), ["dread", "fear"]),
    (Title(id="c1", title="Big Laughs", type="MOVIE", genres=("comedy",)), ["joy", "amusement"]),
    (Title(id="d1", title="Slow River", type="MOVIE", genres=("drama",)), ["melancholy", "hope"]),
]
# what the probe sent: each rewrote the query, forced a full scan or broke it with a 500
CRAFTED_IDS = [
    "x'] or id in ['h1",
    "x'] or id like '%' or id in ['",
    "x'",
    "x\\",
    "h1'",
    "h1\\'",
    'h1"',
    "h1 ",
    "h1]",
    "",
]


def lite_store(root: Path) -> tuple[HashEmbedder, MilvusStore]:
    """A real Milvus Lite store in ``root`` holding ``CATALOG`` (hashing embedder)."""
    embedder = HashEmbedder()
    store = MilvusStore.open(str(root / "titles.db"), dimension=Layout(embedder.dimension).size)
    store.ensure_collection()
    index_titles(store, embedder, CATALOG)
    store.flush()
    return embedder, store


@pytest.fixture(scope="module")
def lite(tmp_path_factory):
    """A real Milvus Lite store with three titles."""
    root = tmp_path_factory.mktemp("lite")
    embedder, store = lite_store(root)
    yield root, embedder, store
    store.client.close()


@pytest.fixture(scope="module")
def api(lite):
    root, embedder, store = lite
    config = Settings(data_dir=root, cache_dir=root / "cache")
    services = build_services(config, embedder=embedder, store=store, chat_model=QueueChatModel())
    app = Moodreel(services, Recommender.from_services(services, FixedMoodParser(["dread"])))
    with TestClient(create_api(app, config, with_ui=False), raise_server_exceptions=False) as client:
        yield client, app, config


@pytest.mark.parametrize("crafted", CRAFTED_IDS)
def test_the_store_never_reads_a_crafted_id(lite, crafted):
    _, _, store = lite
    assert [t.id for t in store.get(["h1"])] == ["h1"]  # the store answers real ids
    assert store.get([crafted]) == []
    assert store.vectors([crafted]) == {}
    assert [t.id for t in store.get([crafted, "c1"])] == ["c1"]


def test_every_catalog_id_is_in_the_id_format():
    rows = Path(__file__).resolve().parents[1] / "data" / "netflix_titles.csv"
    import csv

    with rows.open(encoding="utf-8") as f:
        ids = [row["id"] for row in csv.DictReader(f)]
    assert ids and all(is_title_id(i) for i in ids)
    assert not any(is_title_id(i) for i in CRAFTED_IDS)


@pytest.mark.parametrize("crafted", ["x'", "x\\", "x'] or id in ['h1", "h1%00", "%E2%80%8B"])
def test_the_poster_route_refuses_a_crafted_id_with_a_json_4xx(api, crafted):
    client, _, _ = api
    response = client.get(f"/api/poster/{crafted.replace(chr(39), '%27')}")
    assert 400 <= response.status_code < 500, (crafted, response.status_code, response.text[:200])
    assert response.headers["content-type"].startswith("application/json")
    assert "Traceback" not in response.text


@pytest.mark.parametrize("mood", ["%E2%80%8B", "%00", "%E2%80%8B%E2%80%8B%20"])
def test_a_poster_mood_of_invisible_characters_is_a_422_not_a_503(api, mood):
    client, _, _ = api
    response = client.get(f"/api/poster/h1?mood={mood}")
    assert response.status_code in (200, 422), response.text


def test_like_with_a_crafted_id_never_returns_the_smuggled_title(api):
    client, _, _ = api
    response = client.post("/api/like", json={"id": "x'] or id in ['h1", "k": 2})
    assert response.status_code == 422, response.text
    assert "h1" not in response.text and "Night Terror" not in response.text
    assert client.post("/api/like", json={"id": "h1", "k": 2}).json()["seed"]["id"] == "h1"


@pytest.mark.parametrize("crafted", CRAFTED_IDS[:4])
def test_vote_with_a_crafted_id_stores_nothing(api, crafted):
    client, _, config = api
    response = client.post("/api/vote", json={"user_id": "mallory", "id": crafted, "vote": 1})
    assert response.status_code == 422, response.text
    feedback = config.state_dir / "profiles" / "feedback"
    kept = [p.read_text() for p in feedback.glob("*.json")] if feedback.is_dir() else []
    assert not any(crafted and crafted in text for text in kept)


@pytest.mark.parametrize("crafted", CRAFTED_IDS[:4])
def test_the_application_treats_a_crafted_id_as_unknown(api, crafted):
    """The page and the CLI call the application directly: the store's check covers them."""
    _, app, _ = api
    with pytest.raises(TitleNotFound):
        app.like(None, 2, None, title_id=crafted)
    with pytest.raises(TitleNotFound):
        app.poster(crafted, "", None)


def test_a_catalog_row_with_a_quote_in_its_id_is_refused_with_its_line(tmp_path):
    from moodreel.catalog import load_catalog

    path = tmp_path / "catalog.csv"
    path.write_text(
        "id,title,type,description,release_year,genres\n"
        "ok1,Fine,MOVIE,A film.,2000,['drama']\n"
        "x'] or id in ['ok1,Bad,MOVIE,A film.,2000,['drama']\n",
        encoding="utf-8",
    )
    catalog = load_catalog(path)
    assert [t.id for t in catalog.titles] == ["ok1"]
    assert any("line 3" in str(p) and "id" in str(p) for p in catalog.problems), catalog.problems


# ---- 2 and 3: the page's upload -------------------------------------------------------------


@pytest.fixture
def page(tmp_path, monkeypatch):
    """The real app with its page, its upload folder private to the test."""
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(uploads))
    embedder = HashEmbedder()
    from tests.fakes import DictStore

    store = DictStore()
    index_titles(store, embedder, CATALOG)
    config = Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache")
    services = build_services(config, embedder=embedder, store=store, chat_model=QueueChatModel())
    app = Moodreel(services, Recommender.from_services(services, FixedMoodParser(["dread"])))
    with TestClient(create_api(app, config), raise_server_exceptions=False) as client:
        yield client, uploads, config


def server_file(tmp_path: Path, name: str = "secret.csv") -> Path:
    """A file on the server that no visitor uploaded, in the history format."""
    path = tmp_path / "private" / name
    path.parent.mkdir()
    path.write_text(
        "user_id,content_name,rating,watch_time_minutes\nvictim,Night Terror,5,100\n", encoding="utf-8"
    )
    return path


def call_page(client: TestClient, fn: str, data: list) -> str:
    """Gradio's own API, as the probe used it: POST /gradio_api/call/<fn>, then read the events."""
    started = client.post(f"/gradio_api/call/{fn}", json={"data": data})
    assert started.status_code == 200, started.text
    event_id = started.json()["event_id"]
    deadline = time.monotonic() + 30
    text = ""
    while time.monotonic() < deadline:
        text = client.get(f"/gradio_api/call/{fn}/{event_id}").text
        if "event: complete" in text or "event: error" in text:
            return text
    return text


def upload_fn(client: TestClient) -> str:
    """The api name of the viewer picker's event (the one whose inputs are sample, file, user id)."""
    info = client.get("/gradio_api/info").json()
    for name, endpoint in info["named_endpoints"].items():
        kinds = [p.get("component") for p in endpoint["parameters"]]
        if "File" in kinds:
            return name.lstrip("/")
    raise AssertionError(f"no endpoint takes a file: {list(info['named_endpoints'])}")


def test_the_upload_refuses_a_server_path_and_reads_nothing(page, tmp_path):
    client, uploads, config = page
    secret = server_file(tmp_path)
    before = secret.read_bytes()
    fn = upload_fn(client)
    file_data = {"path": str(secret), "meta": {"_type": "gradio.FileData"}}
    answer = call_page(client, fn, [[], file_data, "victim"])
    assert "event: error" in answer, answer[:300]
    assert secret.read_bytes() == before  # neither deleted nor changed
    copied = [p for p in uploads.rglob("*") if p.is_file()]
    assert copied == [], copied  # nothing copied into the upload folder
    profiles = config.state_dir / "profiles"
    assert not (profiles.is_dir() and list(profiles.glob("*.json")))  # no profile from the file


def test_a_missing_server_path_answers_like_an_existing_one(page, tmp_path):
    """No file-existence oracle: a path that exists and one that does not get the same answer."""
    client, _, _ = page
    secret = server_file(tmp_path)
    fn = upload_fn(client)

    def refusal(path: str) -> str:
        answer = call_page(client, fn, [[], {"path": path, "meta": {"_type": "gradio.FileData"}}, "v"])
        assert "event: error" in answer, answer[:300]
        return answer.split("event: error", 1)[1].replace(path, "<path>")

    assert refusal(str(secret)) == refusal(str(secret.with_name("nothing-here.csv")))


def test_the_handler_itself_refuses_a_path_outside_the_upload_folder(tmp_path):
    """Even if Gradio let a path through, the handler reads and deletes only uploads."""
    from moodreel.webapp import viewer_handler

    uploads = tmp_path / "uploads"
    uploads.mkdir()
    secret = server_file(tmp_path)
    services = build_services(
        Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache"), embedder=HashEmbedder()
    )
    app = Moodreel(services, None)
    for path in (str(secret), f"{uploads}/../private/secret.csv", str(uploads)):
        with pytest.raises(gr.Error, match="not a file this page received") as refused:
            viewer_handler(app, None, uploads)(None, path, "victim")
        assert str(tmp_path) not in str(refused.value)  # the server's folders are not named
    assert secret.exists()


def test_an_upload_over_the_cap_is_refused_and_deleted(tmp_path):
    from moodreel.webapp import viewer_handler

    uploads = tmp_path / "uploads"
    big = uploads / "abc" / "history.csv"
    big.parent.mkdir(parents=True)
    big.write_text("user_id,content_name,rating,watch_time_minutes\n" + "u,x,5,1\n" * 2000)
    services = build_services(
        Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache"), embedder=HashEmbedder()
    )
    with pytest.raises(gr.Error, match="at most 1,024"):
        viewer_handler(Moodreel(services, None), None, uploads, max_upload_bytes=1024)(None, str(big), "u")
    assert not big.exists()


def test_the_older_file_route_never_serves_the_upload_folder(page):
    client, uploads, _ = page
    kept = uploads / "f00d" / "history.csv"
    kept.parent.mkdir()
    kept.write_text("user_id,content_name,rating,watch_time_minutes\nalice,Jaws,5,100\n")
    relative = str(kept).lstrip("/")
    for url in (
        f"/gradio_api/file/{kept}",
        f"/gradio_api/file/{relative}",
        f"/gradio_api/file//{relative}",
        f"/gradio_api/file/{str(kept).replace('/', '%2F')}",
        f"/gradio_api/file={kept}",
    ):
        response = client.get(url)
        assert response.status_code == 404 and "alice" not in response.text, url


# ---- the smaller items --------------------------------------------------------------------


def test_a_declared_body_over_the_cap_gets_a_json_413(api):
    client, _, config = api
    body = json.dumps({"mood": "m" * (config.max_request_bytes + 10)})
    response = client.post("/api/recommend", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/json") and "detail" in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mood": "x", "user_id": "nobody-kept"}, "user_id"),
        ({"mood": "x", "users": ["a"], "user_id": "b"}, "users"),
        ({"mood": "x", "history": []}, "user_id"),
        ({"mood": "   "}, "mood"),
    ],
)
def test_rule_errors_are_lists_naming_the_field_like_validation_errors(api, body, field):
    client, _, _ = api
    response = client.post("/api/recommend", json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail and all(set(e) == {"loc", "msg", "type"} for e in detail)
    assert any(field in e["loc"] for e in detail), detail


def test_like_without_title_or_id_is_refused_by_the_documented_schema(api):
    client, _, _ = api
    schema = client.get("/openapi.json").json()["components"]["schemas"]["LikeRequest"]
    assert {"required": ["title"]} in schema["oneOf"] and {"required": ["id"]} in schema["oneOf"]
    assert client.post("/api/like", json={}).status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/api/recommend", 405), ("DELETE", "/api/vote", 405), ("GET", "/api/nothing", 404)],
)
def test_a_wrong_method_is_405_and_an_unknown_api_path_404(api, method, path, status):
    client, _, _ = api
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    if status == 405:
        assert "POST" in response.headers["allow"]


def test_the_error_answers_are_in_the_openapi_schema(api):
    client, _, _ = api
    paths = client.get("/openapi.json").json()["paths"]
    assert {"404", "422"} <= set(paths["/api/poster/{title_id}"]["get"]["responses"])
    assert {"404", "413", "422"} <= set(paths["/api/like"]["post"]["responses"])
    assert {"413", "422", "507"} <= set(paths["/api/recommend"]["post"]["responses"])


def test_new_viewers_past_the_cap_are_refused_and_kept_ones_still_work(tmp_path):
    from tests.fakes import DictStore

    embedder, store = HashEmbedder(), DictStore()
    index_titles(store, embedder, CATALOG)
    config = Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache", max_profiles=2)
    services = build_services(config, embedder=embedder, store=store, chat_model=QueueChatModel())
    app = Moodreel(services, Recommender.from_services(services, FixedMoodParser(["dread"])))
    client = TestClient(create_api(app, config, with_ui=False))
    row = [{"content_name": "Night Terror", "rating": 5, "watch_time_minutes": 90}]
    for user in ("a", "b"):
        assert (
            client.post("/api/recommend", json={"mood": "x", "user_id": user, "history": row}).status_code
            == 200
        )
    refused = client.post("/api/recommend", json={"mood": "x", "user_id": "c", "history": row})
    assert refused.status_code == 507 and "at most 2" in refused.json()["detail"]
    again = client.post("/api/recommend", json={"mood": "x", "user_id": "a", "history": row})
    assert again.status_code == 200  # a kept viewer is rebuilt in place
    assert len(list((config.state_dir / "profiles").glob("*.json"))) == 2


def test_reading_a_mood_works_while_the_store_cannot_be_opened(tmp_path):
    """``moodreel mood`` works while a server holds the Lite file: the store is opened on first
    use, and the reader goes on without the catalog's vocabulary when it cannot be."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    config = Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache", milvus_uri=str(blocker / "x.db"))
    services = build_services(config, embedder=HashEmbedder())
    assert services.store._client is None  # nothing opened by building the services
    app = Moodreel(services, Recommender.from_services(services, FixedMoodParser(["joy"])))
    assert app.understand("make me laugh, nothing scary").genres == ["comedy"]
    assert app.parse_mood("make me laugh").emotions == ["joy"]
    assert services.store._client is None
