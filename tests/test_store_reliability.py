"""Issue 13 on the real Milvus Lite: values at the limits fit the schema, a failed --rebuild
leaves the previous store, a held file is one line, and no Lite traceback on a first ingest.
The embedder is the small fake: what is under test is the store, not the vectors."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from moodreel.catalog import load_catalog
from moodreel.embedding import VibeEncoder
from moodreel.errors import StoreInUseError
from moodreel.ingestion.pipeline import Ingestor
from moodreel.records import LIMITS, Title
from moodreel.signals import Layout
from moodreel.store import REBUILD_SUFFIX, MilvusStore
from moodreel.vibes.cache import VibesCache
from moodreel.vibes.fast_extractor import FastExtractor
from tests.fakes import HashEmbedder, index_titles

pytestmark = pytest.mark.integration


class Breaks(HashEmbedder):
    """Fails on its ``after``-th call: a run that dies part-way (a bug, a full disk, a kill)."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    def embed(self, texts):
        if len(self.calls) >= self.after:
            raise RuntimeError("the run died here")
        return super().embed(texts)


def ingestor(store, embedder, tmp_path) -> Ingestor:
    return Ingestor(
        store=store,
        encoder=VibeEncoder(embedder),
        cache=VibesCache(tmp_path / "c.sqlite"),
        fast=FastExtractor(embedder),
        chunk_size=8,
        layout=Layout(embedder.dimension),
    )


def test_a_title_at_every_limit_fits_the_schema(tmp_path):
    embedder = HashEmbedder()
    store = MilvusStore.open(str(tmp_path / "s.db"), dimension=Layout(embedder.dimension).size)
    store.ensure_collection()
    title = Title(
        id="i" * LIMITS.id,
        title="é" * (LIMITS.title // 2),
        description="d" * LIMITS.description,
        type="SHOW",
        genres=tuple(f"{n:02d}" + "g" * (LIMITS.genre - 2) for n in range(LIMITS.genres)),
        age_certification="c" * LIMITS.age_certification,
        production_countries=tuple(f"{n:02d}" + "c" * (LIMITS.country - 2) for n in range(LIMITS.production_countries)),
        imdb_votes=LIMITS.int64,
        release_year=2200,
    )  # fmt: skip
    index_titles(store, embedder, [(title, ["awe", "dread"])])
    (stored,) = store.get([title.id])
    assert stored.title == title.title and stored.genres == list(title.genres)
    assert stored.imdb_votes == LIMITS.int64 and stored.age_certification == title.age_certification
    assert stored.production_countries == list(title.production_countries)


def test_a_failed_rebuild_leaves_the_previous_store(tmp_path, small_catalog):
    catalog = load_catalog(small_catalog)
    embedder = HashEmbedder()
    store = MilvusStore.open(str(tmp_path / "s.db"), dimension=Layout(embedder.dimension).size)
    assert ingestor(store, embedder, tmp_path).run(catalog, "fast").new == 60
    before = {t.id: t for t in store.all_titles()}

    dying = ingestor(store, Breaks(after=3), tmp_path / "other")
    with pytest.raises(RuntimeError, match="died"), store.rebuilding():
        dying.run(catalog, "fast")
    assert store.collection == "titles" and store.count() == 60
    assert {t.id: t for t in store.all_titles()} == before
    assert not store.client.has_collection("titles" + REBUILD_SUFFIX)

    # A rebuild that succeeds replaces the store with exactly the new catalog.
    with store.rebuilding():
        summary = ingestor(store, embedder, tmp_path).run(catalog, "fast", limit=20)
    assert summary.new == 20 and store.count() == 20  # all new: written to a fresh collection
    assert store.client.list_collections() == ["titles"]
    assert len(store.search(store.vectors([catalog.titles[0].id])[catalog.titles[0].id], 5)) == 5


def test_a_rebuild_after_a_killed_one_starts_clean(tmp_path, small_catalog):
    catalog = load_catalog(small_catalog)
    embedder = HashEmbedder()
    uri = str(tmp_path / "s.db")
    store = MilvusStore.open(uri, dimension=Layout(embedder.dimension).size)
    ingestor(store, embedder, tmp_path).run(catalog, "fast", limit=30)
    # What a kill -9 mid-rebuild leaves: a half-written side collection next to the live one.
    store.collection = "titles" + REBUILD_SUFFIX
    ingestor(store, embedder, tmp_path).run(catalog, "fast", limit=5)
    store.collection = "titles"
    with store.rebuilding():
        ingestor(store, embedder, tmp_path).run(catalog, "fast", limit=12)
    assert store.count() == 12 and store.client.list_collections() == ["titles"]


def test_first_ingest_logs_no_lite_traceback(tmp_path, small_catalog, caplog):
    caplog.set_level(logging.DEBUG)
    embedder = HashEmbedder()
    store = MilvusStore.open(str(tmp_path / "s.db"), dimension=Layout(embedder.dimension).size)
    ingestor(store, embedder, tmp_path).run(load_catalog(small_catalog), "fast", limit=10)
    assert store.count() == 10
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert loud == [], [r.getMessage() for r in loud]


HOLD = """
import sys, time
from pymilvus import MilvusClient
client = MilvusClient(sys.argv[1])
print("holding", flush=True)
time.sleep(120)
"""


def test_a_store_held_by_another_process_is_one_line(tmp_path, caplog):
    uri = str(tmp_path / "held.db")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, uri], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        caplog.set_level(logging.DEBUG)
        with pytest.raises(StoreInUseError) as err:
            MilvusStore.open(uri)
        assert str(err.value) == f"{uri} is in use by another moodreel process: stop it or use --db"
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        holder.kill()
        holder.wait()
    store = MilvusStore.open(uri)  # free again
    assert store.count() == 0
