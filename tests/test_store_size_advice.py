"""`moodreel` says so when a Milvus Lite store grows past where Lite searches quickly.

The threshold (``store.LITE_MAX_TITLES``) is bench/scale.py's measurement: Milvus Lite scans
every row, and its search p50 passes 100 ms near that size. A server URI never gets the note.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from moodreel import store as store_module
from moodreel.records import Title
from moodreel.signals import Layout
from moodreel.store import LITE_MAX_TITLES, MilvusStore, size_advice
from tests.fakes import HashEmbedder, index_titles


def test_advice_only_for_a_lite_file_past_the_measured_size():
    assert size_advice("data/moodreel.db", LITE_MAX_TITLES) is None
    note = size_advice("data/moodreel.db", LITE_MAX_TITLES + 1)
    assert note and "switch to a server:" in note and "MOODREEL_MILVUS_URI=http://" in note
    assert f"{LITE_MAX_TITLES + 1:,} titles" in note
    assert size_advice("http://milvus:19530", 10 * LITE_MAX_TITLES) is None
    assert 25_000 <= LITE_MAX_TITLES <= 1_000_000  # a measured size, not a placeholder


@pytest.mark.integration
def test_stats_says_switch_to_a_server_past_the_threshold(tmp_path, monkeypatch):
    from moodreel.cli import app

    embedder = HashEmbedder()
    uri = str(tmp_path / "lite.db")
    lite = MilvusStore.open(uri, collection="titles", dimension=Layout(embedder.dimension).size)
    lite.ensure_collection()
    titles = [
        Title(id=f"t{i}", title=f"T{i}", description=f"story {i}", type="MOVIE", genres=("drama",))
        for i in range(3)
    ]
    index_titles(lite, embedder, [(t, ["joy", "hope", "calm"]) for t in titles])
    lite.flush()
    lite.close()

    def stats() -> tuple[dict, str]:
        out = CliRunner().invoke(app, ["stats", "--db", uri, "--json"])
        assert out.exit_code == 0, out.output
        text = CliRunner().invoke(app, ["stats", "--db", uri])
        return json.loads(out.stdout), text.output

    body, text = stats()
    assert body["titles"] == 3 and body["advice"] is None and "switch to a server" not in text
    monkeypatch.setattr(store_module, "LITE_MAX_TITLES", 2)
    body, text = stats()
    assert "switch to a server:" in body["advice"] and "3 titles is past" in body["advice"]
    assert "note: 3 titles is past what Milvus Lite searches quickly" in text
