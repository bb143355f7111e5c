"""`moodreel mood` and `moodreel recommend` as a user runs them, on a small real store."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, PROJECT
from tests.contracts import RESULT_KEYS  # the CLI/API contract for one result

pytestmark = pytest.mark.integration

COMEDY_LIKE = {"comedy", "animation", "family"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    data = root / "data"
    data.mkdir()
    shutil.copy(PROJECT / "data" / "netflix_credits.csv", data / "netflix_credits.csv")
    env = {**os.environ, "MOODREEL_DATA_DIR": str(data), "MOODREEL_CACHE_DIR": str(root / "cache")}
    db = str(root / "store.db")
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "--catalog", str(FIXTURES / "catalog_small.csv"), "--db", db,
         "--extractor", "fast"], env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {"db": db, "env": env}


def moodreel(store, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "moodreel.cli", *args],
        env=store["env"],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_mood_json(store):
    out = moodreel(store, "mood", "I can't stop laughing, this is hilarious", "--json")
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert "amusement" in body["emotions"]
    assert {"feelings", "avoid", "topics", "genres"} <= set(body["understood"])


def test_mood_rejects_empty_text(store):
    out = moodreel(store, "mood", "   ", "--json")
    assert out.returncode == 2 and "empty" in out.stderr


def test_recommend_json_contract_and_genre_fit(store):
    out = moodreel(
        store, "recommend", "I want to laugh", "--k", "5", "--json", "--no-pitch", "--db", store["db"]
    )
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert {"mood", "emotions", "results", "understood"} <= set(body) and body["mood"] == "I want to laugh"
    understood = body["understood"]
    assert {"feelings", "avoid", "topics"} <= set(understood) and understood["feelings"][0] == "laughter"
    assert body["emotions"] == understood["feelings"]
    assert len(body["results"]) == 5
    for r in body["results"]:
        assert set(r) == RESULT_KEYS
        assert r["pitch"] is None and r["emojis"] and r["emotions"]
        assert r["why"] and all(isinstance(w, str) and " = your " not in w for w in r["why"])
    assert sum(bool(COMEDY_LIKE & set(r["genres"])) for r in body["results"]) >= 3
    again = moodreel(
        store, "recommend", "I want to laugh", "--k", "5", "--json", "--no-pitch", "--db", store["db"]
    )
    assert [r["id"] for r in json.loads(again.stdout)["results"]] == [r["id"] for r in body["results"]]


def test_recommend_filters(store):
    out = moodreel(
        store,
        "recommend",
        "something thrilling",
        "--k",
        "8",
        "--json",
        "--no-pitch",
        "--db",
        store["db"],
        "--type",
        "MOVIE",
        "--exclude-genre",
        "comedy",
        "--min-year",
        "2000",
        "--max-runtime",
        "150",
    )
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)["results"]
    assert results
    for r in results:
        assert r["type"] == "MOVIE" and "comedy" not in r["genres"] and r["year"] >= 2000
    only = moodreel(
        store,
        "recommend",
        "something thrilling",
        "--k",
        "5",
        "--json",
        "--no-pitch",
        "--db",
        store["db"],
        "--genre",
        "horror",
    )
    assert all("horror" in r["genres"] for r in json.loads(only.stdout)["results"])


def test_constraints_read_from_the_mood_are_honoured(store):
    """The era and the "no horror" read from the text become filters; "no horror" is never loosened."""
    out = moodreel(
        store,
        "recommend",
        "a 90s thriller, no horror",
        "--k",
        "5",
        "--json",
        "--no-pitch",
        "--db",
        store["db"],
    )
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    understood = body["understood"]
    assert understood["avoid_genres"] == ["horror"] and "thriller" in understood["genres"]
    assert (understood["min_year"], understood["max_year"]) == (1990, 1999)
    results = body["results"]
    assert results and not any("horror" in r["genres"] for r in results)
    if "era" not in body["relaxed"]:
        assert all(1990 <= r["year"] <= 1999 for r in results)


def test_recommend_bad_filters_and_missing_store(store, tmp_path):
    bad = moodreel(store, "recommend", "x", "--min-year", "2020", "--max-year", "2000", "--db", store["db"])
    assert bad.returncode == 2 and "min_year" in bad.stderr
    missing = moodreel(store, "recommend", "x", "--no-pitch", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and "ingest" in missing.stderr


def test_recommend_with_a_real_pitch(store):
    out = moodreel(store, "recommend", "I want to be scared", "--k", "1", "--json", "--db", store["db"])
    assert out.returncode == 0, out.stderr
    (result,) = json.loads(out.stdout)["results"]
    assert len(result["pitch"].split()) >= 12
