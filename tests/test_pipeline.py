"""The ingest pipeline over fakes: change detection, resume, fallbacks, export."""

import json

import pytest

from moodreel.catalog import load_catalog
from moodreel.embedding import VibeEncoder
from moodreel.ingestion.pipeline import Ingestor
from moodreel.prompts import load_prompt
from moodreel.vibes.cache import VibesCache, read_vibes_jsonl
from moodreel.vibes.fast_extractor import FastExtractor
from moodreel.vibes.llm_extractor import LLMExtractor
from tests.fakes import DictStore, HashEmbedder, QueueChatModel


def answer(i: int) -> str:
    words = ["dread", "awe", "joy", "grief", "thrill", "warmth", "menace", "hope", "panic", "wonder"]
    return json.dumps({"emotions": words[i % 3 : i % 3 + 8], "emojis": "🎬🌙"})


@pytest.fixture
def parts(tmp_path, small_catalog):
    embedder = HashEmbedder()
    model = QueueChatModel()
    store = DictStore()
    cache = VibesCache(tmp_path / "cache.sqlite")

    def build(store=store, cache=cache, model=model):
        return Ingestor(
            store=store,
            encoder=VibeEncoder(embedder),
            cache=cache,
            fast=FastExtractor(embedder),
            llm_factory=lambda: LLMExtractor(model, load_prompt("extract_vibes")),
            chunk_size=4,
        )

    return {
        "catalog": load_catalog(small_catalog),
        "model": model,
        "store": store,
        "cache": cache,
        "build": build,
    }


def test_fast_ingest_twice_writes_once(parts):
    first = parts["build"]().run(parts["catalog"], "fast", limit=10)
    assert (first.new, first.unchanged, first.llm_calls) == (10, 0, 0)
    assert parts["store"].count() == 10
    upserts = parts["store"].upserts
    second = parts["build"]().run(parts["catalog"], "fast", limit=10)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 10)
    assert parts["store"].upserts == upserts  # nothing re-embedded or re-written
    row = parts["store"].rows["tm92641"]
    assert row["extractor"] == "fast" and len(row["emotions"]) == 8 and row["emojis"]


def test_llm_results_are_cached_so_a_rerun_makes_no_calls(parts):
    parts["model"].enqueue(*[answer(i) for i in range(5)])
    summary = parts["build"]().run(parts["catalog"], "llm", limit=5)
    assert summary.llm_calls == 5 and summary.by_extractor == {"llm": 5}
    again = parts["build"]().run(parts["catalog"], "llm", limit=5)  # queue is empty: any call would raise
    assert again.llm_calls == 0 and again.unchanged == 5


def test_killed_run_resumes_without_repeating_llm_work(parts):
    parts["model"].enqueue(*[answer(i) for i in range(4)])  # only 4 answers: the run dies on title 5
    with pytest.raises(Killed):
        parts["build"]().run(parts["catalog"], "llm", limit=8, progress=_die_after(4))
    assert parts["cache"].count("llm") == 4
    parts["model"].enqueue(*[answer(i) for i in range(4, 8)])
    summary = parts["build"]().run(parts["catalog"], "llm", limit=8)
    assert summary.llm_calls == 4 and parts["store"].count() == 8
    assert {r["extractor"] for r in parts["store"].rows.values()} == {"llm"}


class Killed(Exception):
    pass


def _die_after(n):
    seen = {"n": 0}

    def progress(k):
        seen["n"] += k
        if seen["n"] >= n:
            raise Killed

    return progress


def test_failed_llm_title_falls_back_to_fast_and_is_retried_next_run(parts):
    parts["model"].enqueue("junk", "junk again", answer(1))
    summary = parts["build"]().run(parts["catalog"], "llm", limit=2)
    assert summary.failed == 1 and "tm92641" in summary.failures[0]
    assert parts["store"].rows["tm92641"]["extractor"] == "fast"
    assert parts["store"].rows["tm122434"]["extractor"] == "llm"
    parts["model"].enqueue(answer(2))
    retry = parts["build"]().run(parts["catalog"], "llm", limit=2)
    assert (retry.llm_calls, retry.updated, retry.unchanged) == (1, 1, 1)
    assert parts["store"].rows["tm92641"]["extractor"] == "llm"


def test_fast_mode_reuses_llm_vibes_and_never_downgrades(parts):
    parts["model"].enqueue(*[answer(i) for i in range(3)])
    parts["build"]().run(parts["catalog"], "llm", limit=3)
    summary = parts["build"]().run(parts["catalog"], "fast", limit=6)
    assert summary.llm_calls == 0 and summary.unchanged == 3 and summary.new == 3
    assert summary.by_extractor == {"llm": 3, "fast": 3}


def test_changed_synopsis_is_re_extracted(parts, tmp_path, small_catalog):
    parts["build"]().run(parts["catalog"], "fast", limit=3)
    text = small_catalog.read_text(encoding="utf-8").replace(
        "Cobb, a skilled thief", "Cobb, a retired thief", 1
    )
    small_catalog.write_text(text, encoding="utf-8")
    summary = parts["build"]().run(load_catalog(small_catalog), "fast", limit=3)
    assert (summary.updated, summary.unchanged) == (1, 2)


def test_export_vibes_round_trips_into_the_cache(parts, tmp_path):
    out = tmp_path / "vibes.jsonl"
    parts["build"]().run(parts["catalog"], "fast", limit=5, export_path=out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 5
    assert set(lines[0]) >= {"id", "title", "emotions", "emojis", "extractor"}
    records = read_vibes_jsonl(out)
    fresh = VibesCache(tmp_path / "fresh.sqlite")
    assert fresh.put_many(records) == 5
    assert fresh.get(
        records[0].content_hash, "fast", records[0].model, records[0].prompt_version, records[0].id
    )
