"""The vector store: titles, their vibes and their vibe vectors in one Milvus collection.

Works the same against an embedded Milvus Lite file (the default) and a Milvus
standalone or cluster server (any ``http://host:19530`` URI). Rows are keyed by the
catalog id, so writing a title again replaces it: re-runs never duplicate.

Unknown numbers are stored as -1 and unknown strings as "" (Milvus 2.3 servers have no
nullable fields); ``StoredTitle`` gets them back as ``None``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from moodreel.errors import StoreError
from moodreel.records import Hit, StoredTitle, Title, TitleVibes

log = logging.getLogger(__name__)

_UNKNOWN = -1
_SCALAR_OUTPUT = [
    "id", "title", "type", "description", "genres", "release_year", "runtime",
    "age_certification", "imdb_score", "imdb_votes", "popularity", "emotions", "emojis",
    "extractor", "content_hash", "source_key",
]  # fmt: skip
_LIMITS = {"title": 512, "description": 4096, "emojis": 128, "source_key": 256}
# HNSW candidate list on a Milvus server (AUTOINDEX builds HNSW there; Milvus Lite scans and
# ignores it). The server default gave recall@10 0.86-0.89 in bench/scale.py; 64 gives ~0.99.
SEARCH_EF = 64


def is_server_uri(uri: str) -> bool:
    return uri.startswith(("http://", "https://", "tcp://", "grpc://"))


def _clip(text: str, limit: int) -> str:
    # Milvus counts bytes for VARCHAR max_length.
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def _or_unknown(value: float | int | None) -> float | int:
    return _UNKNOWN if value is None else value


def _from_unknown(value: float | int | None) -> float | int | None:
    return None if value is None or value == _UNKNOWN else value


def to_row(title: Title, vibes: TitleVibes, vector: np.ndarray) -> dict:
    return {
        "id": title.id,
        "vector": [float(x) for x in vector],
        "title": _clip(title.title, _LIMITS["title"]),
        "type": title.type,
        "description": _clip(title.description, _LIMITS["description"]),
        "genres": [g[:32] for g in title.genres[:16]],
        "release_year": _or_unknown(title.release_year),
        "runtime": _or_unknown(title.runtime),
        "age_certification": title.age_certification or "",
        "imdb_score": float(_or_unknown(title.imdb_score)),
        "imdb_votes": _or_unknown(title.imdb_votes),
        "popularity": float(_or_unknown(title.popularity)),
        "emotions": [e[:32] for e in vibes.emotions[:8]],
        "emojis": _clip(vibes.emojis, _LIMITS["emojis"]),
        "extractor": vibes.extractor,
        "content_hash": vibes.content_hash,
        "source_key": _clip(vibes.source_key, _LIMITS["source_key"]),
    }


def from_row(row: dict) -> StoredTitle:
    entity = row.get("entity", row)
    data = {k: entity.get(k) for k in _SCALAR_OUTPUT if k in entity}
    for key in ("release_year", "runtime", "imdb_votes", "imdb_score", "popularity"):
        if key in data:
            value = _from_unknown(data[key])
            data[key] = (
                round(float(value), 3) if key in ("imdb_score", "popularity") and value is not None else value
            )
    data["genres"] = list(data.get("genres") or [])
    data["emotions"] = list(data.get("emotions") or [])
    data["age_certification"] = data.get("age_certification") or None
    return StoredTitle(**data)


class MilvusStore:
    """One collection of titles. Create it with ``MilvusStore.open(uri, ...)``."""

    def __init__(self, client, collection: str, dimension: int, uri: str) -> None:
        self.client = client
        self.collection = collection
        self.dimension = dimension
        self.uri = uri
        self._loaded = False

    # ---- lifecycle ---------------------------------------------------------------
    @classmethod
    def open(cls, uri: str, collection: str = "titles", dimension: int = 384, token: str = "") -> MilvusStore:
        from pymilvus import MilvusClient

        if not is_server_uri(uri):
            Path(uri).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            client = MilvusClient(uri=uri, token=token) if token else MilvusClient(uri=uri)
        except Exception as exc:  # pymilvus raises many types for an unreachable server
            raise StoreError(f"cannot open Milvus at {uri}: {exc}") from exc
        return cls(client, collection, dimension, uri)

    def exists(self) -> bool:
        return bool(self.client.has_collection(self.collection))

    def ensure_collection(self) -> None:
        if self.exists():
            self._check_dimension()
            self._load()
            return
        from pymilvus import DataType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dimension)
        schema.add_field("title", DataType.VARCHAR, max_length=_LIMITS["title"])
        schema.add_field("type", DataType.VARCHAR, max_length=8)
        schema.add_field("description", DataType.VARCHAR, max_length=_LIMITS["description"])
        schema.add_field(
            "genres", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=16, max_length=32
        )
        schema.add_field("release_year", DataType.INT64)
        schema.add_field("runtime", DataType.INT64)
        schema.add_field("age_certification", DataType.VARCHAR, max_length=16)
        schema.add_field("imdb_score", DataType.FLOAT)
        schema.add_field("imdb_votes", DataType.INT64)
        schema.add_field("popularity", DataType.FLOAT)
        schema.add_field(
            "emotions", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=8, max_length=32
        )
        schema.add_field("emojis", DataType.VARCHAR, max_length=_LIMITS["emojis"])
        schema.add_field("extractor", DataType.VARCHAR, max_length=16)
        schema.add_field("content_hash", DataType.VARCHAR, max_length=32)
        schema.add_field("source_key", DataType.VARCHAR, max_length=_LIMITS["source_key"])
        index = self.client.prepare_index_params()
        index.add_index(field_name="vector", index_type="AUTOINDEX", metric_type="COSINE")
        self.client.create_collection(self.collection, schema=schema, index_params=index)
        self._load()
        log.info("created collection %s at %s", self.collection, self.uri)

    def _load(self) -> None:
        if not self._loaded:
            self.client.load_collection(self.collection)
            self._loaded = True

    def _require(self) -> None:
        if not self.exists():
            raise StoreError(f"no collection {self.collection!r} at {self.uri}: run `python -m ingest` first")
        self._load()

    def _check_dimension(self) -> None:
        info = self.client.describe_collection(self.collection)
        for f in info.get("fields", []):
            if f.get("name") == "vector":
                dim = int(f.get("params", {}).get("dim", self.dimension))
                if dim != self.dimension:
                    raise StoreError(
                        f"collection {self.collection!r} at {self.uri} holds {dim}-d vectors, "
                        f"the embedder makes {self.dimension}-d: use --rebuild or another collection"
                    )

    def drop(self) -> None:
        if self.exists():
            self.client.drop_collection(self.collection)
        self._loaded = False

    def close(self) -> None:
        self.client.close()

    # ---- writes ------------------------------------------------------------------
    def upsert(self, rows: Sequence[dict]) -> int:
        if not rows:
            return 0
        self.client.upsert(self.collection, list(rows))
        return len(rows)

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids:
            self.client.delete(self.collection, ids=ids)

    def flush(self) -> None:
        try:
            self.client.flush(self.collection)
        except Exception:  # Lite flushes on its own; a server without flush rights is fine too
            log.debug("flush not supported here", exc_info=True)

    # ---- reads -------------------------------------------------------------------
    def fingerprints(self) -> dict[str, tuple[str, str]]:
        """id -> (content_hash, source_key) of every stored title: the change detector."""
        if not self.exists():
            return {}
        out: dict[str, tuple[str, str]] = {}
        for row in self._scan(["id", "content_hash", "source_key"]):
            out[row["id"]] = (row["content_hash"], row["source_key"])
        return out

    def _scan(self, fields: list[str], filter: str = "") -> Iterable[dict]:
        self._load()
        if not is_server_uri(self.uri):
            # Lite returns every match of a filtered query at once; its iterator logs errors.
            yield from self.client.query(self.collection, filter=filter or 'id != ""', output_fields=fields)
            return
        iterator = self.client.query_iterator(
            self.collection, batch_size=1000, filter=filter, output_fields=fields
        )
        try:
            while True:
                batch = iterator.next()
                if not batch:
                    break
                yield from batch
        finally:
            iterator.close()

    def count(self) -> int:
        if not self.exists():
            return 0
        self._load()
        result = self.client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(result[0]["count(*)"]) if result else 0

    def get(self, ids: Sequence[str]) -> list[StoredTitle]:
        if not ids:
            return []
        self._require()
        rows = self.client.get(self.collection, ids=list(ids), output_fields=_SCALAR_OUTPUT)
        return [from_row(r) for r in rows]

    def all_titles(self, fields: Sequence[str] | None = None) -> list[StoredTitle]:
        return [from_row(r) for r in self._scan(list(fields or _SCALAR_OUTPUT))]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        self._require()
        rows = self.client.get(self.collection, ids=list(ids), output_fields=["id", "vector"])
        return {r["id"]: np.asarray(r["vector"], dtype=np.float32) for r in rows}

    def stats(self) -> dict:
        if not self.exists():
            return {
                "titles": 0,
                "by_extractor": {},
                "by_type": {},
                "uri": self.uri,
                "collection": self.collection,
            }
        extractors: Counter[str] = Counter()
        types: Counter[str] = Counter()
        for row in self._scan(["extractor", "type"]):
            extractors[row["extractor"]] += 1
            types[row["type"]] += 1
        return {
            "titles": sum(extractors.values()),
            "by_extractor": dict(sorted(extractors.items())),
            "by_type": dict(sorted(types.items())),
            "uri": self.uri,
            "collection": self.collection,
        }

    def search(self, vector: np.ndarray, k: int, filter: str = "") -> list[Hit]:
        self._require()
        results = self.client.search(
            self.collection,
            data=[[float(x) for x in vector]],
            filter=filter,
            limit=k,
            output_fields=_SCALAR_OUTPUT,
            search_params={"metric_type": "COSINE", "params": {"ef": max(SEARCH_EF, k)}},
        )
        hits = []
        for row in results[0] if results else []:
            hits.append(Hit(title=from_row(row), similarity=float(row["distance"])))
        return hits
