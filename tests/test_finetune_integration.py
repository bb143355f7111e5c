"""Issue 15's acceptance on real models: `moodreel finetune` on a tiny Qwen2 base (real
tokenizer, random weights) lowers the loss and its adapter changes what llama.cpp writes; the
packaged model described with an adapter set writes other text than without; `--steer 1`
differs from `--steer 0`, the same for a fixed seed."""

from __future__ import annotations

import json

import numpy as np
import pytest
from langchain_core.messages import HumanMessage
from typer.testing import CliRunner

from moodreel.application import Moodreel
from moodreel.llm.gguf_export import write_lora_gguf
from moodreel.records import Title
from moodreel.services import build_services
from moodreel.settings import PROJECT_ROOT, Settings
from tests.fakes import DictStore, index_titles

pytestmark = pytest.mark.integration

SAMPLE = PROJECT_ROOT / "data" / "finetune_sample.jsonl"


@pytest.fixture(scope="session")
def model_file():
    from moodreel.llm.local_model import ensure_model_file

    return ensure_model_file(Settings().model_dir)


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory, model_file):
    from moodreel.llm.tiny_model import build_tiny_base

    return build_tiny_base(tmp_path_factory.mktemp("tiny"), model_file)


def greedy(model_path, adapter=None) -> str:
    from moodreel.llm.llamacpp_chat import LlamaCppChat

    chat = LlamaCppChat(
        model_path=str(model_path), adapter_path=adapter, temperature=0, max_tokens=12, n_ctx=512
    )
    return str(chat.invoke([HumanMessage(content="Describe Seinfeld for a casual viewer.")]).content)


def test_finetune_on_the_sample_lowers_the_loss_and_the_adapter_changes_the_output(tiny_base, tmp_path):
    from moodreel.cli import app

    out = tmp_path / "adapter"
    args = ["finetune", "--data", str(SAMPLE), "--output", str(out), "--base", str(tiny_base.hf_dir)]
    result = CliRunner().invoke(app, [*args, "--epochs", "1", "--lr", "5e-3", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[result.stdout.index("{") :])
    assert summary["epochs"] == 1 and summary["steps"] == summary["examples"] - summary["heldout"]
    assert summary["heldout_loss_after"] < summary["heldout_loss_before"]
    assert json.loads((out / "finetune.json").read_text()) == summary
    assert {"adapter.gguf", "adapter_config.json", "adapter_model.safetensors"} <= {
        p.name for p in out.iterdir()
    }
    plain = greedy(tiny_base.gguf_path)
    tuned = greedy(tiny_base.gguf_path, str(out / "adapter.gguf"))
    assert tuned != plain
    assert greedy(tiny_base.gguf_path, str(out / "adapter.gguf")) == tuned  # deterministic


def random_adapter(path, layers=28, hidden=1536, kv=256, rank=4, seed=0):
    """A LoRA for the packaged model's shapes with small random weights (what a short training
    run makes, without the hour of CPU training)."""
    rng = np.random.default_rng(seed)
    tensors = {}
    for i in range(layers):
        for name, out in (("q_proj", hidden), ("v_proj", kv)):
            key = f"base_model.model.model.layers.{i}.self_attn.{name}"
            tensors[f"{key}.lora_A.weight"] = rng.normal(0, 0.05, size=(rank, hidden))
            tensors[f"{key}.lora_B.weight"] = rng.normal(0, 0.05, size=(out, rank))
    return write_lora_gguf(tensors, float(rank), "Qwen2ForCausalLM", layers, path)


CATALOG = [
    (
        Title(
            id="t1",
            title="The Hollow House",
            type="MOVIE",
            genres=("horror",),
            release_year=2015,
            description="A family moves into an old farmhouse where something in the walls starts calling the youngest daughter by name.",
            imdb_score=7.1,
            imdb_votes=5000,
        ),  # fmt: skip
        ["dread", "fear", "menace"],
    ),
    (
        Title(
            id="t2",
            title="Midnight Static",
            type="MOVIE",
            genres=("horror", "thriller"),
            release_year=2018,
            description="A late-night radio host takes a call from a woman who says she is being hunted, and the line goes dead.",
            imdb_score=6.8,
            imdb_votes=3000,
        ),  # fmt: skip
        ["terror", "suspense", "paranoia"],
    ),
    (
        Title(
            id="t3",
            title="Harbour Lights",
            type="SHOW",
            genres=("drama", "crime"),
            release_year=2020,
            description="A detective returns to the fishing town she left as a girl to solve the drowning of her best friend.",
            imdb_score=7.5,
            imdb_votes=8000,
        ),  # fmt: skip
        ["grief", "suspicion", "resolve"],
    ),
]


def describe_with(settings, embedder, chat_model, steer=0.0) -> str:
    store = DictStore()
    index_titles(store, embedder, CATALOG)
    services = build_services(settings, embedder=embedder, store=store, chat_model=chat_model)
    app = Moodreel(services)
    rows = [("The Hollow House", 5.0, 100.0), ("Midnight Static", 5.0, 95.0)]
    from moodreel.profiles.history import parse_history

    history = parse_history(
        [{"user_id": "ana", "content_name": n, "rating": r, "watch_time_minutes": m} for n, r, m in rows],
        "test",
    )
    profile = app.viewer_from_history(history, "ana").profile
    return app.describe(app.find_title("Harbour Lights"), profile, steer)


def test_describe_with_an_adapter_writes_other_text(tmp_path, real_embedder, local_chat_model, model_file):
    from moodreel.llm.factory import make_chat_model

    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "state")
    adapter = random_adapter(tmp_path / "lora" / "adapter.gguf")
    tuned_model = make_chat_model(settings.model_copy(update={"llm_adapter": adapter.parent}))
    assert tuned_model.adapter_path == str(adapter) and "+lora-" in tuned_model.model_id
    plain = describe_with(settings, real_embedder, local_chat_model)
    tuned = describe_with(settings, real_embedder, tuned_model)
    assert plain and tuned and tuned != plain


def test_steer_one_differs_from_steer_zero_and_repeats_for_a_fixed_seed(
    tmp_path, real_embedder, local_chat_model
):
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "state")
    plain = describe_with(settings, real_embedder, local_chat_model, steer=0.0)
    steered = describe_with(settings, real_embedder, local_chat_model, steer=1.0)
    assert steered != plain
    assert describe_with(settings, real_embedder, local_chat_model, steer=1.0) == steered
    assert list((tmp_path / "state" / "token_vectors").glob("*.npz"))  # kept for the next run
