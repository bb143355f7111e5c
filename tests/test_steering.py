"""Steering (issue 15): β × cos(token vector, viewer vector) on the top candidates' logits,
token vectors cached per model, the viewer vector from the profile, and the clear refusal
for a backend without logits. The real model's steered descriptions are in
tests/test_finetune_integration.py."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from moodreel.application import Moodreel
from moodreel.llm.steering import (
    LogitSteerer,
    Steering,
    SteeringUnavailable,
    TokenVectorCache,
    TokenVectors,
    is_word,
    viewer_vector,
)
from moodreel.services import build_services
from moodreel.settings import Settings
from tests.contracts import problem_text
from tests.fakes import HashEmbedder
from tests.test_profiles import horror_fan_rows, make_recommender, make_services

VOCAB = ["Ġdread", "Ġjoy", ",", "Ġthe", "ing", "<|im_end|>", "Ġfear", "Ġ42"]


def decode(i: int) -> str:
    return VOCAB[i].replace("Ġ", " ")


@pytest.mark.parametrize(
    "text, word",
    [
        (" dread", True),
        ("joy", True),
        (" don't", True),
        (",", False),
        ("a", False),
        (" 42", False),
        ("<|im_end|>", False),
    ],
)
def test_only_word_tokens_get_a_vector(text, word):
    assert is_word(text) is word


def test_steerer_adds_beta_times_cosine_to_the_top_candidates_only(tmp_path):
    embedder = HashEmbedder(16)
    tokens = TokenVectors(embedder, tmp_path / "t.npz", decode)
    viewer = embedder.embed(["dread"])[0]  # the viewer "is" the word dread
    scores = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 0.0, -1.0, -2.0], dtype=np.float32)
    out = LogitSteerer(tokens, viewer, beta=2.0, top_k=4)(np.array([1]), scores)
    vectors = tokens.get(range(len(VOCAB)))
    assert out[0] == pytest.approx(5.0 + 2.0 * float(vectors[0] @ viewer)) and out[0] == pytest.approx(7.0)
    assert out[1] == pytest.approx(4.0 + 2.0 * float(vectors[1] @ viewer))
    assert out[2] == 3.0  # "," is not a word: never pushed
    assert list(out[4:]) == list(scores[4:])  # outside the top 4: untouched
    assert not np.array_equal(out, scores) and scores[0] == 5.0  # the input is not modified
    assert np.array_equal(LogitSteerer(tokens, viewer, beta=0.0)(np.array([1]), scores), scores)


def test_token_vectors_are_computed_once_and_kept_on_disk(tmp_path):
    embedder = HashEmbedder(16)
    cache = TokenVectorCache(embedder, tmp_path / "tv")
    tokens = cache.for_model("model-a", decode)
    first = tokens.get([0, 1, 2])
    assert embedder.calls == [["dread", "joy"]]  # only words, each once
    tokens.get([1, 0])
    assert len(embedder.calls) == 1
    cache.save()
    again = TokenVectorCache(embedder, tmp_path / "tv").for_model("model-a", decode)
    assert np.allclose(again.get([0, 1, 2]), first, atol=1e-3) and len(embedder.calls) == 1
    Steering(first[0], 1.0, cache).processor("model-a+lora-abc", lambda ids: decode(ids[0]).encode())
    assert cache.for_model("model-a", decode) is tokens  # an adapter keeps its base's vocabulary


def test_viewer_vector_is_the_unit_sum_of_the_taste_vibe_and_plot_parts():
    d = 4
    taste = [1, 0, 0, 0] + [0, 2, 0, 0] + [9, 9] + [0.5, 1]  # vibe | plot | genres | quality, known
    v = viewer_vector(taste, d)
    assert np.allclose(v, np.array([1, 1, 0, 0]) / np.sqrt(2))
    assert viewer_vector(None, d) is None and viewer_vector([0.0] * 10, d) is None


def _horror_fan(services):
    profile, _ = services.viewers.build("alice@example.com", horror_fan_rows())
    return profile


def test_steering_is_refused_clearly_for_an_endpoint_backend(tmp_path):
    services = make_services(tmp_path)
    services.settings = services.settings.model_copy(update={"llm_backend": "openai"})
    app = Moodreel(services, make_recommender(services))
    profile = _horror_fan(services)
    title = services.store.get(["h20"])[0]
    with pytest.raises(SteeringUnavailable, match="gives no access to the logits"):
        app.describe(title, profile, steer=1.0)
    assert services.chat_model.seen == []  # refused before any generation
    services.chat_model.enqueue("A tense little shocker for you, in a house where nobody sleeps.")
    assert app.describe(title, profile, steer=0.0)  # steer 0 is the plain path on any backend


def test_steering_needs_a_viewer_with_a_taste(tmp_path):
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "state")
    services = build_services(settings, embedder=HashEmbedder())  # the local backend; no model is loaded
    app = Moodreel(services)
    with pytest.raises(SteeringUnavailable, match="needs a viewer"):
        app.llm_options(None, 1.0)
    with pytest.raises(SteeringUnavailable, match="between 0 and 10"):
        app.llm_options(None, 11.0)


def test_cli_and_api_say_why_they_cannot_steer(tmp_path, monkeypatch):
    from moodreel.server import create_api

    services = make_services(tmp_path)
    services.settings = services.settings.model_copy(update={"llm_backend": "openai"})
    monkeypatch.setattr(
        "moodreel.cli._app", lambda db, parser: Moodreel(services, make_recommender(services))
    )
    from moodreel.cli import app as cli

    history = tmp_path / "h.csv"
    history.write_text(
        "user_id,content_name,rating,watch_time_minutes\n"
        + "".join(f"alice,Horror Story {i},5,100\n" for i in range(6))
    )
    runner = CliRunner()
    out = runner.invoke(
        cli,
        [
            "describe",
            "--content",
            "Horror Story 20",
            "--user",
            "alice",
            "--history",
            str(history),
            "--steer",
            "1",
        ],
    )
    assert out.exit_code == 2 and "no access to the logits" in out.output
    out = runner.invoke(cli, ["recommend", "tonight", "--steer", "1"])
    assert out.exit_code == 2 and "--steer needs --user" in out.output
    out = runner.invoke(
        cli, ["generate", "--history", str(history), "--output", str(tmp_path / "o.json"), "--steer", "1"]
    )
    assert out.exit_code == 2 and "no access to the logits" in out.output

    api = TestClient(
        create_api(Moodreel(services, make_recommender(services)), services.settings, with_ui=False)
    )
    rows = [{"content_name": f"Horror Story {i}", "rating": 5, "watch_time_minutes": 100} for i in range(6)]
    body = {"mood": "tonight", "k": 2, "pitch": True, "user_id": "alice", "history": rows, "steer": 1.0}
    response = api.post("/api/recommend", json=body)
    assert response.status_code == 422 and "no access to the logits" in problem_text(response)
    assert api.post("/api/recommend", json={**body, "steer": 50}).status_code == 422


def test_generate_writes_a_finetune_starter_from_the_facts(tmp_path, monkeypatch):
    from moodreel.llm.finetune import read_examples

    services = make_services(tmp_path)
    monkeypatch.setattr(
        "moodreel.cli._app", lambda db, parser: Moodreel(services, make_recommender(services))
    )
    from moodreel.cli import app as cli

    history = tmp_path / "h.csv"
    history.write_text(
        "user_id,content_name,rating,watch_time_minutes\n"
        + "".join(f"alice,Horror Story {i},5,100\n" for i in range(6))
    )
    output = tmp_path / "starter.jsonl"
    out = CliRunner().invoke(
        cli,
        [
            "generate",
            "--history",
            str(history),
            "--output",
            str(output),
            "--limit",
            "3",
            "--format",
            "finetune",
        ],
    )
    assert out.exit_code == 0, out.output
    examples = read_examples(output)  # what finetune reads back
    assert len(examples) == 3 and services.chat_model.seen == []  # no LLM
    first = json.loads(output.read_text().splitlines()[0])
    assert set(first) == {"prompt", "completion"}
    assert "Title: Horror Story" in first["prompt"] and "About this viewer:" in first["prompt"]
    assert first["completion"].startswith("Horror Story") and "horror" in first["completion"]


def test_the_steering_request_reaches_the_chat_model_from_describe_and_recommend(tmp_path, monkeypatch):
    services = make_services(tmp_path)  # the local backend; the fake stands in for its model
    monkeypatch.setattr("moodreel.application.supports_steering", lambda model: True)
    app = Moodreel(services, make_recommender(services))
    profile = _horror_fan(services)
    title = services.store.get(["h20"])[0]
    # words a pitch about any facts may use (issue 21's support check)
    services.chat_model.enqueue(*["You get a night to watch. It is all yours."] * 3)
    app.describe(title, profile, steer=1.5)
    app.recommend("tonight", k=1, viewer=profile, pitch=True, steer=0.5)
    app.describe(title, profile, steer=0.0)
    asked = [kw.get("steering") for kw in services.chat_model.kwargs_seen]
    assert [s.beta if s else None for s in asked] == [1.5, 0.5, None]
    assert np.allclose(asked[0].viewer, viewer_vector(profile.taste, services.embedder.dimension))
    assert asked[0].cache is services.token_vectors
