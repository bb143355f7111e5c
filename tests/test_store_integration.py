"""The same store code against Milvus Lite and a real Milvus server process."""

import time

import numpy as np
import pytest

from moodreel.catalog import load_catalog
from moodreel.embedding import VibeEncoder
from moodreel.filters import SearchFilters
from moodreel.ingestion.pipeline import Ingestor
from moodreel.signals import Layout, Weights, genre_vector, quality_score, query_vector
from moodreel.store import _SCALAR_OUTPUT, REBUILD_SUFFIX, MilvusStore, OutdatedStoreError
from moodreel.vibes.cache import VibesCache
from moodreel.vibes.fast_extractor import FastExtractor
from tests.fakes import passes

FILTERS = [
    SearchFilters(min_year=1990, type="MOVIE"),
    SearchFilters(genres=["comedy", "horror"]),
    SearchFilters(required_genres=["crime", "drama"]),
    SearchFilters(exclude_genres=["drama"], max_runtime=130),
    SearchFilters(max_year=2005, exclude_certifications=["R", "TV-MA"]),
    SearchFilters(countries=["GB"], min_imdb_score=7),
    SearchFilters(age_certifications=["PG-13"]),
]


def _exercise(uri: str, catalog_path, embedder, tmp_path) -> None:
    layout = Layout(embedder.dimension)
    encoder = VibeEncoder(embedder)
    # A collection left by an older moodreel (plain d-dimensional vibe vectors) is refused, then rebuilt.
    old = MilvusStore.open(uri, collection="it_titles", dimension=embedder.dimension)
    old.drop()
    old.ensure_collection()
    store = MilvusStore.open(uri, collection="it_titles", dimension=layout.size)
    assert store.exists() and not store.is_current() and "-d vectors" in store.outdated()
    with pytest.raises(OutdatedStoreError, match="--rebuild"):
        store.ensure_collection()
    ingestor = Ingestor(
        store=store,
        encoder=encoder,
        cache=VibesCache(tmp_path / "c.sqlite"),
        fast=FastExtractor(embedder),
        layout=layout,
    )
    catalog = load_catalog(catalog_path)
    first = ingestor.run(catalog, "fast", limit=40)  # rebuilds the outdated collection
    assert first.new == 40 and store.is_current()
    second = ingestor.run(catalog, "fast", limit=40)
    assert second.unchanged == 40
    store.flush()
    assert store.count() == 40
    assert store.stats()["by_extractor"] == {"fast": 40}

    # The stored vector is the fused one: vibe | plot | genres | quality, known.
    inception = next(t for t in catalog.titles if t.id == "tm92641")
    stored = store.get(["tm92641"])[0]
    assert stored.title == "Inception" and stored.release_year == 2010 and len(stored.emotions) == 8
    vec = store.vectors(["tm92641"])["tm92641"]
    assert vec.shape == (layout.size,)
    assert np.allclose(vec[layout.vibe], encoder.encode([stored.emotions])[0], atol=1e-4)
    assert np.allclose(vec[layout.plot], embedder.embed([inception.description])[0], atol=1e-4)
    assert np.allclose(vec[layout.genres], genre_vector(stored.genres), atol=1e-6)
    assert np.isclose(vec[layout.quality], quality_score(stored.imdb_score, stored.imdb_votes), atol=1e-4)
    assert vec[layout.known] == 1.0

    # Search is by inner product over the fused vector, and the filters are the store's own.
    vibe = encoder.encode([["dread", "terror", "fear"]])[0]
    plot = embedder.embed(["a haunted house, a family in danger"])[0]
    prior = genre_vector(["horror", "thriller"])
    query = query_vector(layout, Weights(vibe=0.4, plot=0.4, genre=0.2), vibe, plot, prior)
    titles = {t.id: t for t in store.all_titles()}
    vectors = store.vectors(list(titles))
    assert len(titles) == len(vectors) == 40
    for filters in [None, *FILTERS]:
        hits = store.search(query, 40, filters, with_vectors=True)
        expected = {i for i, t in titles.items() if passes(filters, t)}
        assert filters is None or 0 < len(expected) < 40, filters  # each filter keeps some, drops some
        assert {h.title.id for h in hits} == expected, filters
        assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)
        for h in hits:
            assert np.isclose(h.similarity, float(vectors[h.title.id] @ query), atol=1e-3)
            assert np.allclose(h.vector, vectors[h.title.id], atol=1e-5)
    top = store.search(query, 5)
    best = sorted(vectors, key=lambda i: -float(vectors[i] @ query))[:5]
    assert [h.title.id for h in top] == best and all(h.vector is None for h in top)

    # --rebuild: a run that dies part-way leaves the store as it was; one that succeeds replaces it.
    with pytest.raises(RuntimeError, match="died"), store.rebuilding():
        ingestor.run(catalog, "fast", limit=10)
        raise RuntimeError("the rebuild died")
    assert store.collection == "it_titles" and store.count() == 40
    assert {t.id for t in store.all_titles()} == set(titles)
    with store.rebuilding():
        assert ingestor.run(catalog, "fast", limit=10).new == 10
    store.flush()
    assert store.count() == 10 and len(store.search(query, 40)) == 10
    assert not store.client.has_collection("it_titles" + REBUILD_SUFFIX)
    _kept_rows_follow_the_store(store, query)
    store.drop()


def _kept_rows_follow_the_store(store: MilvusStore, query: np.ndarray) -> None:
    """Rows kept in memory (``row_cache``) give the very same hits as reading them, and a row that
    another writer changes or deletes is never served from memory."""
    kept = MilvusStore(store.client, store.collection, store.dimension, store.uri, kept_rows=100)
    assert kept.keep_rows() == store.count() == 10
    sent: list[str] = []
    in_memory = 0
    search = kept.client.search

    def spy(*args, **kwargs):
        sent.append(kwargs.get("filter", ""))
        return search(*args, **kwargs)

    kept._client = type(
        "Spy", (), {"search": staticmethod(spy), "__getattr__": lambda _, n: getattr(store.client, n)}
    )()
    for filters in [None, *FILTERS]:
        for k in (
            2,
            10,
        ):  # 2: genres and countries are checked on the kept rows; 10: too few pass, Milvus does
            plain, cached = store.search(query, k, filters, True), kept.search(query, k, filters, True)
            assert [(h.title, h.similarity) for h in cached] == [(h.title, h.similarity) for h in plain]
            assert all(np.array_equal(a.vector, b.vector) for a, b in zip(cached, plain, strict=True))
            if k == 2 and filters is not None and filters.has_list_filters() and len(plain) == 2:
                assert "array_contains" not in sent[-1], filters
                in_memory += 1
    kept._client = store.client
    assert in_memory >= 1  # of these 10 titles, enough pass one list filter to answer from memory
    first = kept.search(query, 1, with_vectors=True)[0]
    first.title.title = "changed by one caller"  # each caller gets its own title
    assert kept.search(query, 1)[0].title.title != "changed by one caller"
    with pytest.raises(ValueError, match="read-only"):
        first.vector[0] = 5.0  # a kept vector is shared: nobody may change it in place

    def seen_by_the_store(check) -> None:  # a server's searches may lag a write a moment
        deadline = time.monotonic() + 15
        while not check(store.search(query, 10)) and time.monotonic() < deadline:
            time.sleep(0.2)

    # another writer renames the top title: its new version is read again, not served from memory
    row = store.client.get(store.collection, ids=[first.title.id], output_fields=_SCALAR_OUTPUT + ["vector"])[
        0
    ]
    row.update(title="Renamed by another writer", content_hash="f" * 32)
    store.client.upsert(store.collection, [row])
    store.flush()
    seen_by_the_store(lambda hits: hits[0].title.title == "Renamed by another writer")
    assert kept.search(query, 1)[0].title.title == "Renamed by another writer"
    store.delete([first.title.id])
    store.flush()
    seen_by_the_store(lambda hits: first.title.id not in {h.title.id for h in hits})
    assert first.title.id not in {h.title.id for h in kept.search(query, 10)}
    # bounded: the least recently used rows go
    small = MilvusStore(store.client, store.collection, store.dimension, store.uri, kept_rows=3)
    assert small.keep_rows() == 0  # 9 rows do not fit in 3: none read ahead
    assert len(small.search(query, 9)) == 9 and len(small.rows) == 3


@pytest.mark.integration
def test_store_on_milvus_lite(tmp_path, small_catalog, real_embedder):
    _exercise(str(tmp_path / "lite.db"), small_catalog, real_embedder, tmp_path)


@pytest.mark.server
def test_store_on_a_milvus_server(milvus_server, tmp_path, small_catalog, real_embedder):
    _exercise(milvus_server, small_catalog, real_embedder, tmp_path)
