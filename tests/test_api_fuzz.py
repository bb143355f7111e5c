"""An outside fuzzer on the API (issue 19, item 5): schemathesis reads the app's own OpenAPI
schema and sends generated requests to every operation; every answer must be one the schema
documents (status code, content type, body shape), and none a 5xx.

The app runs over a real Milvus Lite store (so ids reach pymilvus as they would in production),
the hashing embedder and a chat model that never answers (pitches fall back to templates: no LLM).
Beside the generated cases, the ids the outside probe used (a quote, a backslash, an expression
that rewrote the query) are sent on every operation that takes an id, through the same checks:
hypothesis does not find them by itself.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from moodreel.application import Moodreel
from moodreel.search.recommender import Recommender
from moodreel.server import create_api
from moodreel.services import build_services
from moodreel.settings import Settings
from tests.fakes import FixedMoodParser, HashEmbedder, QueueChatModel
from tests.test_security_holes import CRAFTED_IDS, lite_store

EXAMPLES_PER_OPERATION = 40  # bounded: ~6 operations, well under a minute on 2 cores


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    embedder, store = lite_store(root)
    config = Settings(data_dir=root, cache_dir=root / "cache", max_profiles=50)
    services = build_services(config, embedder=embedder, store=store, chat_model=QueueChatModel())
    app = Moodreel(services, Recommender.from_services(services, FixedMoodParser(["dread"])))
    yield create_api(app, config, with_ui=False)
    store.client.close()


def _schema_app():
    """The app whose schema the fuzzer reads: the same routes and models, over fakes (the real
    store is the fixture's; reading a schema needs none)."""
    import tempfile
    from pathlib import Path

    from tests.fakes import DictStore

    root = Path(tempfile.mkdtemp(prefix="moodreel-fuzz-schema-"))
    config = Settings(data_dir=root, cache_dir=root / "cache")
    services = build_services(config, embedder=HashEmbedder(), store=DictStore(), chat_model=QueueChatModel())
    return create_api(Moodreel(services, None), config, with_ui=False)


schema = schemathesis.openapi.from_asgi("/openapi.json", _schema_app())


@pytest.fixture(scope="module")
def api_schema():
    return schema


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same cases on every run: a failure here is a finding, not a flake
)
def test_every_operation_answers_as_its_schema_says(case, api_app):
    # Every check but "schema-valid data is accepted": some rules depend on state the schema
    # cannot know (a viewer with no kept profile, a mood of only invisible characters, a genre
    # name the catalog lacks). Those answer a 422 naming the field in words (type value_error);
    # a 422 of any other type (int_type, string_too_long...) would be the schema and the
    # validation disagreeing, and fails here.
    response = case.call_and_validate(app=api_app, excluded_checks=[positive_data_acceptance])
    positive = case.meta is None or case.meta.generation.mode is GenerationMode.POSITIVE
    if positive and response.status_code == 422:
        detail = response.json()["detail"]
        assert all(e["type"] == "value_error" for e in detail), (case.as_curl_command(), detail)


ID_OPERATIONS = [
    ("GET", "/api/poster/{title_id}", lambda crafted: {"path_parameters": {"title_id": crafted}}),
    ("POST", "/api/like", lambda crafted: {"body": {"id": crafted, "k": 2}}),
    ("POST", "/api/vote", lambda crafted: {"body": {"user_id": "mallory", "id": crafted, "vote": 1}}),
    ("POST", "/api/not-interested", lambda crafted: {"body": {"user_id": "mallory", "id": crafted}}),
    (
        "POST",
        "/api/recommend",
        lambda crafted: {"body": {"mood": "x", "refine": ["something else"], "shown": [crafted]}},
    ),
]


@pytest.mark.parametrize("crafted", [c for c in CRAFTED_IDS if c])
@pytest.mark.parametrize(
    ("method", "path", "parts"), ID_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in ID_OPERATIONS]
)
def test_the_probes_ids_get_a_documented_4xx_on_every_operation_that_takes_an_id(
    api_schema, api_app, method, path, parts, crafted
):
    case = api_schema[path][method].Case(**parts(crafted))
    response = case.call_and_validate(app=api_app)
    assert 400 <= response.status_code < 500, (path, crafted, response.status_code)
    if path == "/api/like":
        assert "Night Terror" not in response.text  # the smuggled seed never comes back


def test_the_fuzzer_reaches_every_api_operation(api_schema):
    operations = {(op.method.upper(), op.path) for op in (r.ok() for r in api_schema.get_all_operations())}
    assert operations == {
        ("GET", "/api/health"),
        ("POST", "/api/recommend"),
        ("GET", "/api/poster/{title_id}"),
        ("POST", "/api/like"),
        ("POST", "/api/journey"),
        ("POST", "/api/vote"),
        ("POST", "/api/viewers"),
        ("POST", "/api/saved"),
        ("GET", "/api/saved"),
        ("POST", "/api/saved/open"),
        ("POST", "/api/not-interested"),
    }


def test_the_app_answers_plain_requests_too(api_app):
    """A sanity check on the fixture: the fuzzed app is a working one."""
    client = TestClient(api_app)
    assert client.get("/api/health").json() == {"status": "ok", "titles": 3, "pitch_wait_s": None}
