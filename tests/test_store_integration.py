"""The same store code against Milvus Lite and a real Milvus server process."""

import numpy as np
import pytest

from moodreel.catalog import load_catalog
from moodreel.embedding import VibeEncoder
from moodreel.ingestion.pipeline import Ingestor
from moodreel.store import MilvusStore
from moodreel.vibes.cache import VibesCache
from moodreel.vibes.fast_extractor import FastExtractor


def _exercise(uri: str, catalog_path, embedder, tmp_path) -> None:
    store = MilvusStore.open(uri, collection="it_titles", dimension=embedder.dimension)
    store.drop()
    ingestor = Ingestor(
        store=store,
        encoder=VibeEncoder(embedder),
        cache=VibesCache(tmp_path / "c.sqlite"),
        fast=FastExtractor(embedder),
    )
    catalog = load_catalog(catalog_path)
    first = ingestor.run(catalog, "fast", limit=40)
    assert first.new == 40
    second = ingestor.run(catalog, "fast", limit=40)
    assert second.unchanged == 40
    store.flush()
    assert store.count() == 40
    assert store.stats()["by_extractor"] == {"fast": 40}

    query = VibeEncoder(embedder).encode([["dread", "terror", "fear"]])[0]
    hits = store.search(query, 5, 'release_year >= 1990 and type == "MOVIE"')
    assert hits and all(h.title.type == "MOVIE" and h.title.release_year >= 1990 for h in hits)
    assert hits == sorted(hits, key=lambda h: -h.similarity)
    genre_hits = store.search(query, 40, 'array_contains(genres, "comedy")')
    assert genre_hits and all("comedy" in h.title.genres for h in genre_hits)
    stored = store.get(["tm92641"])[0]
    assert stored.title == "Inception" and stored.release_year == 2010 and len(stored.emotions) == 8
    vec = store.vectors(["tm92641"])["tm92641"]
    assert np.isclose(np.linalg.norm(vec), 1.0, atol=1e-3)
    store.drop()


@pytest.mark.integration
def test_store_on_milvus_lite(tmp_path, small_catalog, real_embedder):
    _exercise(str(tmp_path / "lite.db"), small_catalog, real_embedder, tmp_path)


@pytest.mark.server
def test_store_on_a_milvus_server(milvus_server, tmp_path, small_catalog, real_embedder):
    _exercise(milvus_server, small_catalog, real_embedder, tmp_path)
