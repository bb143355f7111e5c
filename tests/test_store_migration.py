"""A store built by an older moodreel (other fields, other vector size) is found and rebuilt
from the catalog with a clear message, never silently used or left half-empty."""

from __future__ import annotations

import logging

import pytest

from moodreel.application import Moodreel
from moodreel.services import build_services
from moodreel.settings import Settings
from moodreel.store import MilvusStore, OutdatedStoreError

pytestmark = pytest.mark.integration


def _old_store(uri: str) -> None:
    """The schema of the previous release: one 384-d vibe vector, no production countries."""
    from pymilvus import DataType, MilvusClient

    client = MilvusClient(uri=uri)
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=384)
    schema.add_field("title", DataType.VARCHAR, max_length=512)
    index = client.prepare_index_params()
    index.add_index(field_name="vector", index_type="AUTOINDEX", metric_type="COSINE")
    client.create_collection("titles", schema=schema, index_params=index)
    client.insert("titles", [{"id": "tm1", "vector": [0.1] * 384, "title": "Old"}])
    client.close()


def test_an_old_store_is_rebuilt_with_a_message(tmp_path, small_catalog, real_embedder, caplog):
    uri = str(tmp_path / "old.db")
    _old_store(uri)
    services = build_services(Settings(milvus_uri=uri, catalog_path=small_catalog), embedder=real_embedder)
    store = services.store
    assert "lacks the fields" in (store.outdated() or "")
    with pytest.raises(OutdatedStoreError, match="python -m ingest --rebuild"):
        store.search([0.0] * services.layout.size, 3)
    app = Moodreel(services)
    with caplog.at_level(logging.WARNING):
        catalog = app.catalog_to_ingest()  # what `make run` (serve --ingest-if-empty) asks
        assert catalog is not None
        app.ingest(catalog, "fast")
    assert "older moodreel" in caplog.text and "rebuilding" in caplog.text
    assert store.is_current() and store.count() == len(catalog.titles)
    assert app.catalog_to_ingest() is None  # current and full: nothing to do next time
    result = app.recommend("something funny", k=3)
    assert result.results and result.understood is not None


def test_a_current_store_is_not_outdated(tmp_path):
    store = MilvusStore.open(str(tmp_path / "new.db"), "titles", 789)
    store.ensure_collection()
    assert store.outdated() is None and store.is_current()
    other = MilvusStore(store.client, "titles", 100, store.uri)
    assert "789-d vectors" in other.outdated()
