"""Every bench script runs on tiny inputs, with its --json contract and its results file,
and bench/report.py turns the files into RESULTS.md: the benchmarks cannot silently rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, PROJECT

pytestmark = pytest.mark.integration


def bench(script: str, *args: str, timeout: int = 600) -> dict:
    done = subprocess.run(
        [sys.executable, str(PROJECT / "bench" / script), *args, "--json"],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    """The 60-title fixture catalog ingested with the fast extractor, as the app's default store
    (``<dir>/moodreel.db``)."""
    data = tmp_path_factory.mktemp("bench-data")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "--catalog",
            str(FIXTURES / "catalog_small.csv"),
            "--extractor",
            "fast",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "MOODREEL_DATA_DIR": str(data)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return data


@pytest.fixture
def env(small_store, monkeypatch, tmp_path):
    monkeypatch.setenv("MOODREEL_DATA_DIR", str(small_store))
    monkeypatch.setenv("MOODREEL_CATALOG_PATH", str(FIXTURES / "catalog_small.csv"))
    results = tmp_path / "results"
    return ["--save", "--results-dir", str(results)], results


def test_goemotions_bench_scores_every_backend(env):
    save, results = env
    summary = bench("goemotions.py", "--data", str(FIXTURES / "goemotions_tiny.tsv"), "--limit", "10",
                    "--llm-limit", "1", *save)  # fmt: skip
    assert 0.0 <= summary["macro_f1"] <= 1.0 and summary["rows"] == 10
    assert summary["classifier"]["n"] == 10 and summary["llm"]["n"] == 1
    assert len(summary["zero-shot"]["per_label"]) == 28
    record = json.loads((results / "goemotions.json").read_text())
    assert record["summary"]["macro_f1"] == summary["macro_f1"] and record["machine"]["cores"] >= 1


def test_goemotions_bench_names_a_bad_row(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("fine text\t1\tid1\nbroken row without tabs\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(PROJECT / "bench" / "goemotions.py"), "--data", str(bad), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0 and f"{bad}:2" in done.stderr


def test_mood_genre_bench_compares_with_the_baselines(env, tmp_path):
    save, _ = env
    summary = bench("mood_genre.py", "--moods", str(FIXTURES / "moods_tiny.jsonl"), *save)
    assert summary["moods"] == 3 and summary["errors"] == 0 and summary["store_titles"] == 60
    for key in (
        "precision_at_10",
        "prototype_precision_at_10",
        "synopsis_precision_at_10",
        "random_precision_at_10",
    ):
        assert 0.0 <= summary[key] <= 1.0
    # a missing mood file, and a line without "ok", are named (file, line) before any model loads
    bad = tmp_path / "moods.jsonl"
    bad.write_text('{"mood": "fine", "ok": ["comedy"]}\n{"mood": "no genres"}\n', encoding="utf-8")
    for path, message in ((tmp_path / "missing.jsonl", "not found"), (bad, f"{bad}: line 2")):
        done = subprocess.run(
            [sys.executable, str(PROJECT / "bench" / "mood_genre.py"), "--moods", str(path)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode != 0 and message in done.stderr, done.stderr


def test_extraction_bench_against_a_reference(env):
    """LLM vibes come from the extraction cache (one seeded here: 4 of its 8 words are the
    reference's); the fast extractor and the baselines run on all 5 matched titles."""
    from moodreel.catalog import load_catalog
    from moodreel.records import TitleVibes
    from moodreel.services import build_services
    from moodreel.settings import Settings

    save, _ = env
    inception = next(t for t in load_catalog(FIXTURES / "catalog_small.csv").titles if t.title == "Inception")
    words = ["wonder", "tension", "awe", "confusion", "grief", "pride", "relief", "longing"]
    cache = build_services(Settings()).vibes_cache(seed=False)
    cache.put(TitleVibes(id=inception.id, content_hash=inception.content_hash(), emotions=words, emojis="🌀",
                         extractor="llm", model="test-model", prompt_version="test"))  # fmt: skip
    cache.close()
    summary = bench(
        "extraction.py", "--reference", str(FIXTURES / "reference_tiny.csv"), "--llm-limit", "0", *save
    )
    assert summary["titles"] == 5 and summary["titles_with_llm_vibes"] == 1
    rows = summary["all_titles"]
    assert rows["reference itself"]["overlap_at_8"] == 1.0
    assert 0.0 <= rows["fast extractor"]["soft_overlap"] <= 1.0
    llm = summary["titles_with_llm_vibes_only"]["llm (local Qwen2.5 1.5B)"]
    assert llm["n"] == 1 and llm["overlap_at_8"] == 0.5


def test_latency_ingest_and_personalization_benches(env):
    save, results = env
    latency = bench("latency.py", "--limit", "3", "--pitches", "1", *save)
    assert latency["mood_to_cards"]["n"] == 3 and latency["full_pitch"]["n"] == 1
    assert latency["understand_step"]["n"] == 3 and latency["search_step"]["n"] == 3
    assert latency["first_pitch_token"]["p50_ms"] <= latency["full_pitch"]["p50_ms"]
    ingest = bench("ingest.py", "--catalog", str(FIXTURES / "catalog_small.csv"), "--limit", "20",
                   "--llm-titles", "0", "--fresh", "30", *save)  # fmt: skip
    assert ingest["titles"] == 20 and ingest["pipeline_titles_per_s"] > 0
    assert ingest["fresh_titles"] == 30 and ingest["fresh_ingest_titles_per_s"] > 0
    assert set(ingest["fresh_phase_s"]) == {"read", "extract", "embed", "write"}
    taste = bench("personalization.py", "--limit", "4", "--rows", "100", *save)
    assert taste["simulated_viewers"] == 4 and taste["simulated_by_kind"] == {"genre": 2, "neighbourhood": 2}
    assert taste["viewers"] <= 4 and taste["profile_rows"] == 100
    assert taste["simulated_unmatched_rows"] == 0 and taste["simulated_without_taste"] == 0
    for key in (
        "open_mood_only",
        "open_mood_taste",
        "specific_mood_only",
        "specific_mood_taste",
        "taste_only",
    ):
        figures = taste["simulated"][key]
        assert 0.0 <= figures["hit_rate_at_10"] <= 1.0 and 0.0 <= figures["liked_genre_share"] <= 1.0
    assert set(taste["acceptance"]) >= {"open_horror_with", "open_horror_without", "specific_comedy_with"}
    real = taste["real"]
    assert real["viewers"] == 4 and len(real["results"]) == 5 and "all four" in real["results"]
    for row in ("mood_only", "mood_taste", "taste_only", "most_voted"):
        mean, low, high = real["results"]["all four"][row]["hit"]
        assert 0.0 <= low <= mean <= high <= 1.0
    assert taste["feedback"]["viewers"] == 4
    assert {p.stem for p in results.glob("*.json")} == {"latency", "ingest", "personalization"}


def test_relevance_and_pitch_benches(env, small_store):
    save, results = env
    relevance = bench("relevance.py", "--moods", str(PROJECT / "bench" / "relevance_moods.jsonl"), "--db",
                      str(small_store / "moodreel.db"), "--limit", "3", "--methods", "ours", *save)  # fmt: skip
    assert set(relevance) == {"ours"} and 0.0 <= relevance["ours"]["genre_fit"] <= 1.0
    pitch = bench("pitch.py", "--db", str(small_store / "moodreel.db"), "--moods", "1", "--top", "1",
                  "--limit", "1", *save)  # fmt: skip
    assert pitch["pairs"] == 1 and 0.0 <= pitch["complete_rate"] <= 1.0
    assert {p.stem for p in results.glob("*.json")} == {"relevance", "pitch"}


def test_follow_ups_bench(env, small_store):
    save, results = env
    summary = bench("follow_ups.py", "--db", str(small_store / "moodreel.db"), "--limit", "3", *save)
    assert summary["cases"] == 3 and 0 <= summary["held"] <= 3 and summary["follow_up_ms"]["n"] == 3
    assert {p.stem for p in results.glob("*.json")} == {"follow_ups"}


def run_scale_and_report(save: list[str], results, backends: str) -> str:
    summary = bench("scale.py", "--sizes", "300,600", "--queries", "5", "--backends", backends, *save)
    rows = summary["results"]
    assert {(r["backend"], r["rows"]) for r in rows} == {
        (b, n) for b in backends.split(",") for n in (300, 600)
    }
    for r in rows:  # exact search is exact; Milvus Lite scans (float32 ties aside); HNSW is near
        floor = {"numpy": 1.0, "faiss-flat": 1.0, "lite": 0.95}.get(r["backend"], 0.8)
        assert r["recall_at_10"] >= floor and r["filtered_recall_at_10"] >= floor, r
    out = results / "RESULTS.md"
    done = subprocess.run(
        [
            sys.executable,
            str(PROJECT / "bench" / "report.py"),
            "--results-dir",
            str(results),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (results / "scale_latency.png").stat().st_size > 1000
    return out.read_text()


def test_scale_bench_and_the_report(env):
    save, results = env
    text = run_scale_and_report(save, results, "lite,numpy,faiss-flat,faiss-hnsw")
    assert "## Scale: Milvus Lite, a Milvus server, numpy and FAISS" in text
    assert "python bench/scale.py --sizes 300,600" in text and "![" in text
    assert "Not run yet: `python bench/goemotions.py --save`" in text


@pytest.mark.server
def test_scale_bench_on_a_milvus_server(env):
    save, results = env
    text = run_scale_and_report(save, results, "server")
    assert "| server | 600 |" in text


def test_load_bench_against_a_real_server(env, small_store):
    save, results = env
    load = bench("load.py", "--db", str(small_store / "moodreel.db"), "--requests", "8", "--concurrency", "4",
                 "--pitch-requests", "0", *save)  # fmt: skip
    assert load["titles"] > 0 and load["search"]["answers"] == {"200": 8} and load["search"]["errors"] == 0
    assert load["hostile (413/422)"]["errors"] == 0  # every oversized or invalid body refused as it should
    assert load["search beside hostile"]["answers"] == {"200": 8}
    assert load["sigterm_stop_s"] < 20
    saved = json.loads((results / "load.json").read_text())
    assert saved["tables"][0]["rows"][0][0] == "search"


def test_features_bench_more_like_this_journeys_and_together(env, small_store, tmp_path):
    save, results = env
    history = tmp_path / "history.csv"
    rows = ["user_id,content_name,rating,watch_time_minutes"]
    rows += [f"horror_fan,{t},5,100" for t in ("It", "The Conjuring", "Insidious", "The Mist")]
    rows += [f"horror_fan,{t},1,100" for t in ("Titanic", "Love Actually")]
    rows += [f"romance_reader,{t},5,100" for t in ("Titanic", "Love Actually", "The Lake House")]
    rows += [f"romance_reader,{t},1,100" for t in ("It", "Insidious")]
    history.write_text("\n".join(rows) + "\n")
    summary = bench("features.py", "--db", str(small_store / "moodreel.db"), "--seeds", "5",
                    "--history", str(history), *save)  # fmt: skip
    like, journey, together = summary["more_like_this"], summary["journey"], summary["together"]
    assert like["seeds"] == 5 and 0.0 <= like["genre_share_at_10"] <= 1.0
    assert journey["journeys"] == 10 and journey["no_title_twice_share"] == 1.0
    assert together["pairs"] == 1 and together["picks"] > 0 and together["disliked_picks"] == 0
    assert json.loads((results / "features.json").read_text())["summary"] == summary


def test_reliability_bench_kills_and_recounts(tmp_path):
    """Two kill -9 trials (one fresh store, one --rebuild) on the 60-title catalog: whatever the
    moment of the kill, the re-run leaves every title stored once."""
    results = tmp_path / "results"
    summary = bench("reliability.py", "--catalog", str(FIXTURES / "catalog_small.csv"), "--rows", "60",
                    "--trials", "2", "--save", "--results-dir", str(results))  # fmt: skip
    assert [t["mode"] for t in summary["trials"]] == ["fresh", "rebuild"]
    assert summary["totals"] == {"expected": 120, "stored": 120, "duplicates": 0, "lost": 0,
                                 "rebuild_lost_after_kill": 0}  # fmt: skip
    assert json.loads((results / "reliability.json").read_text())["summary"]["totals"] == summary["totals"]


def test_pitch_judged_bench_scores_the_check_on_each_half(tmp_path):
    sys.path.insert(0, str(PROJECT / "bench"))
    try:
        from pitch_judged import split_of
    finally:
        sys.path.remove(str(PROJECT / "bench"))
    ids = {split_of(f"tm{i}"): f"tm{i}" for i in range(20)}
    lonely = "A lonely little boy moves into an apartment building and befriends the manga artist next door."
    rows = [
        {
            "id": ids["dev"],
            "text": "A lonely little boy befriends the manga artist next door.",
            "label": "faithful",
        },
        {"id": ids["test"], "text": "Two bored teens fight a dragon in a castle.", "label": "invents"},
    ]
    judged = tmp_path / "judged.jsonl"
    common = {"title": "Kotaro Lives Alone", "mood": "lonely tonight", "synopsis": lonely, "role": "shown"}
    judged.write_text("".join(json.dumps({**common, **row}) + "\n" for row in rows), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(PROJECT / "bench" / "pitch_judged.py"), "--judged", str(judged), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["check_by_half"]["test"] == {"texts": 1, "precision": 1.0, "recall": 1.0}
    assert summary["check_by_half"]["dev"] == {"texts": 1, "precision": 0.0, "recall": 0.0}
    assert summary["check_flagged"] == 1  # the teens, not the faithful line
    assert summary["shown_invents_rate"] == 0.5


def test_graded_pairs_tally_the_side_by_side_readings_and_name_a_bad_line(tmp_path):
    rows = [
        {"comparison": "c", "a": "old", "b": "new", "mood": "romcom", "better": "b", "note": ""},
        {"comparison": "c", "a": "old", "b": "new", "mood": "thriller", "better": "tie", "note": ""},
        {"comparison": "c", "a": "old", "b": "new", "mood": "cozy", "better": "b", "note": ""},
    ]
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = bench("graded.py", "--pairs", str(pairs))
    assert result["pairs"] == [["c", "old", "new", 3, 2, 0, 1]]
    shipped = bench("graded.py", "--pairs", str(PROJECT / "bench" / "graded_pairs.jsonl"))
    assert all(read == b + a + tie for *_, read, b, a, tie in shipped["pairs"])
    pairs.write_text(json.dumps({**rows[0], "better": "both"}) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(PROJECT / "bench" / "graded.py"), "--pairs", str(pairs)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0 and f"{pairs}:1: better must be a, b or tie" in done.stderr
