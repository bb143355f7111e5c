"""The vector store: titles, their vibes and their fused signal vectors in one Milvus collection.

Works the same against an embedded Milvus Lite file (the default) and a Milvus
standalone or cluster server (any ``http://host:19530`` URI). Rows are keyed by the
catalog id, so writing a title again replaces it: re-runs never duplicate.

Unknown numbers are stored as -1 and unknown strings as "" (Milvus 2.3 servers have no
nullable fields); ``StoredTitle`` gets them back as ``None``. ``VectorStore`` is the
interface the rest of the product uses; this module alone knows Milvus' schema and its
filter-expression language (``filter_expression``).

The vector is ``signals.title_vector`` (vibe | plot | genres | quality) searched by inner
product, so the per-request weights of the query vector do the fusion inside Milvus.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from moodreel.errors import StoreError, StoreInUseError
from moodreel.filters import LIST_FIELDS, SearchFilters
from moodreel.records import LIMITS, Hit, IndexedTitle, StoredTitle, is_title_id
from moodreel.row_cache import KeptRow, RowCache

log = logging.getLogger(__name__)

_UNKNOWN = -1
# One definition of the title's fields: StoredTitle's (the schema below must hold each).
_SCALAR_OUTPUT = list(StoredTitle.model_fields)
# what a search returns per hit when rows are kept in memory (``row_cache``): its version
_VERSION = ("content_hash", "source_key")
METRIC = "IP"
# A --rebuild writes here and replaces the live collection only when it succeeded.
REBUILD_SUFFIX = "__rebuild"
# HNSW candidate list on a Milvus server (AUTOINDEX builds HNSW there; Milvus Lite scans and
# ignores it). bench/scale.py on the 2.3.5 server, 50k titles: ef=64 recall@10 0.970 but 0.937
# with a filter (0.937-0.950 at 10k-100k before); ef=128 0.993 and 0.970 with the filter, for
# +1.7 ms at p50 (6.6 -> 8.3 ms). The server default gave 0.86-0.89.
SEARCH_EF = 128
# A filtered search looks at more candidates (a selective filter at ef=64 found 2 of 9 titles
# before 1966), and at all of them when it found fewer than asked.
FILTERED_EF = 512
EXHAUSTIVE_EF = 16384
# The most hits one Milvus search returns (its topk limit).
MAX_LIMIT = 16384
# Hits asked per one wanted when genres or countries are checked on kept rows and the share of
# titles passing them is not known (not every row is kept).
LIST_OVERFETCH = 4


# Milvus Lite searches by brute force. bench/scale.py on 2 shared cores: search p50 25 ms at
# 10k titles, 67 ms at 50k and at 100k, 1,147 ms at 200k (RESULTS.md, "Scale"): past 100 ms
# (where a page starts to feel slow) between 100k and 200k, so past 100k moodreel advises a server.
LITE_MAX_TITLES = 100_000


def is_server_uri(uri: str) -> bool:
    return uri.startswith(("http://", "https://", "tcp://", "grpc://"))


def size_advice(uri: str, titles: int) -> str | None:
    """One line for the user when a Milvus Lite file holds more titles than Lite searches fast."""
    if is_server_uri(uri) or titles <= LITE_MAX_TITLES:
        return None
    return (
        f"{titles:,} titles is past what Milvus Lite searches quickly (about {LITE_MAX_TITLES:,}; "
        "its searches scan every row): switch to a server: `docker compose up -d milvus`, then "
        'MOODREEL_MILVUS_URI=http://localhost:19530 and `python -m ingest` (README, "A Milvus server or cluster")'
    )


def _clip(text: str, limit: int) -> str:
    # Milvus counts bytes for VARCHAR max_length. Only for the vibes' own fields: a title's
    # values are checked against LIMITS when the catalog is read (records.Title).
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def _or_unknown(value: float | int | None) -> float | int:
    return _UNKNOWN if value is None else value


def _from_unknown(value: float | int | None) -> float | int | None:
    return None if value is None or value == _UNKNOWN else value


def to_row(item: IndexedTitle) -> dict:
    title, vibes = item.title, item.vibes
    return {
        "id": title.id,
        "vector": np.asarray(item.vector, dtype=np.float32).tolist(),
        "title": title.title,
        "type": title.type,
        "description": title.description,
        "genres": list(title.genres),
        "release_year": _or_unknown(title.release_year),
        "runtime": _or_unknown(title.runtime),
        "age_certification": title.age_certification or "",
        "imdb_score": float(_or_unknown(title.imdb_score)),
        "imdb_votes": _or_unknown(title.imdb_votes),
        "popularity": float(_or_unknown(title.popularity)),
        "production_countries": list(title.production_countries),
        "imdb_id": title.imdb_id or "",
        "emotions": [_clip(e, LIMITS.emotion) for e in vibes.emotions[: LIMITS.emotions]],
        "emojis": _clip(vibes.emojis, LIMITS.emojis),
        "extractor": vibes.extractor,
        "content_hash": vibes.content_hash,
        "source_key": _clip(vibes.source_key, LIMITS.source_key),
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
    data["production_countries"] = list(data.get("production_countries") or [])
    data["emotions"] = list(data.get("emotions") or [])
    data["age_certification"] = data.get("age_certification") or None
    data["imdb_id"] = data.get("imdb_id") or None
    return StoredTitle(**data)


def _connect(uri: str, token: str = ""):  # noqa: ANN202 (a pymilvus MilvusClient)
    from pymilvus import MilvusClient

    if not is_server_uri(uri):
        try:
            Path(uri).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the store's folder for {uri}: {exc.strerror}") from None
    # Milvus Lite logs a 20-line traceback when it cannot start (the file is locked by
    # another process, say) and then raises a vague "Open local milvus failed": keep its
    # record and say what happened in one line instead.
    held = _HeldRecords()
    lite_log = logging.getLogger("milvus_lite.server_manager")
    lite_log.addFilter(held)
    try:
        return MilvusClient(uri=uri, token=token) if token else MilvusClient(uri=uri)
    except Exception as exc:  # pymilvus raises many types for an unreachable server
        cause = held.exception()
        if cause is not None and type(cause).__name__ == "DataDirLockedError":
            raise StoreInUseError(
                f"{uri} is in use by another moodreel process: stop it or use --db"
            ) from None
        raise StoreError(f"cannot open Milvus at {uri}: {cause or exc}") from None
    finally:
        lite_log.removeFilter(held)


class MilvusStore:
    """One collection of titles. Create it with ``MilvusStore.open(uri, ...)``."""

    def __init__(
        self,
        client,
        collection: str,
        dimension: int,
        uri: str,
        connect: Callable[[], Any] | None = None,
        kept_rows: int = 0,
    ) -> None:
        """``kept_rows``: stored rows kept in memory for searches (``row_cache``; 0: none)."""
        self._client = client
        self._connect = connect
        self.collection = collection
        self.dimension = dimension
        self.uri = uri
        self._loaded = False
        self.rows = RowCache(kept_rows)

    @property
    def client(self):  # noqa: ANN201 (a pymilvus MilvusClient)
        """The Milvus client, connected on first use when the store was opened ``lazy``."""
        if self._client is None:
            if self._connect is None:
                raise StoreError(f"the store at {self.uri} is closed")
            self._client = self._connect()
        return self._client

    # ---- lifecycle ---------------------------------------------------------------
    @classmethod
    def open(
        cls,
        uri: str,
        collection: str = "titles",
        dimension: int = 384,
        token: str = "",
        lazy: bool = False,
        kept_rows: int = 0,
    ) -> MilvusStore:
        """A store over ``uri``. ``lazy``: connect on first use, so a command that never reads the
        store (``moodreel mood``) neither starts Milvus Lite nor needs its file free.
        ``kept_rows``: rows kept in memory for searches (see ``row_cache``)."""
        if lazy:
            return cls(
                None, collection, dimension, uri, connect=lambda: _connect(uri, token), kept_rows=kept_rows
            )
        return cls(_connect(uri, token), collection, dimension, uri, kept_rows=kept_rows)

    def exists(self) -> bool:
        return bool(self.client.has_collection(self.collection))

    def ensure_collection(self, rebuild_outdated: bool = False) -> None:
        """Create the collection if missing. An outdated one (built by an older moodreel)
        raises ``OutdatedStoreError``, or is dropped and recreated with ``rebuild_outdated``."""
        if self.exists():
            problem = self.outdated()
            if problem is None:
                self._load()
                return
            if not rebuild_outdated:
                raise OutdatedStoreError(
                    f"the store {self.collection!r} at {self.uri} {problem}: rebuild it with "
                    "`python -m ingest --rebuild` (extracted vibes are cached and are not lost)"
                )
            log.warning("the store %r at %s %s: rebuilding it", self.collection, self.uri, problem)
            self.drop()
        from pymilvus import DataType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        L = LIMITS
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=L.id)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=self.dimension)
        schema.add_field("title", DataType.VARCHAR, max_length=L.title)
        schema.add_field("type", DataType.VARCHAR, max_length=L.type)
        schema.add_field("description", DataType.VARCHAR, max_length=L.description)
        schema.add_field(
            "genres", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=L.genres, max_length=L.genre
        )
        schema.add_field("release_year", DataType.INT64)
        schema.add_field("runtime", DataType.INT64)
        schema.add_field("age_certification", DataType.VARCHAR, max_length=L.age_certification)
        schema.add_field("imdb_score", DataType.FLOAT)
        schema.add_field("imdb_votes", DataType.INT64)
        schema.add_field("popularity", DataType.FLOAT)
        schema.add_field(
            "production_countries",
            DataType.ARRAY,
            element_type=DataType.VARCHAR,
            max_capacity=L.production_countries,
            max_length=L.country,
        )
        schema.add_field("imdb_id", DataType.VARCHAR, max_length=L.imdb_id)
        schema.add_field(
            "emotions",
            DataType.ARRAY,
            element_type=DataType.VARCHAR,
            max_capacity=L.emotions,
            max_length=L.emotion,
        )
        schema.add_field("emojis", DataType.VARCHAR, max_length=L.emojis)
        schema.add_field("extractor", DataType.VARCHAR, max_length=L.extractor)
        schema.add_field("content_hash", DataType.VARCHAR, max_length=L.content_hash)
        schema.add_field("source_key", DataType.VARCHAR, max_length=L.source_key)
        index = self.client.prepare_index_params()
        index.add_index(field_name="vector", index_type="AUTOINDEX", metric_type=METRIC)
        self.client.create_collection(self.collection, schema=schema)
        # Waiting for the index asks the server for a timestamp (AllocTimestamp), which
        # Milvus Lite does not implement: it logged "Method not implemented!" with a traceback
        # on every first ingest. Lite builds the index at once; a server is waited for.
        self.client.create_index(self.collection, index, sync=is_server_uri(self.uri))
        self._load()
        log.info("created collection %s at %s", self.collection, self.uri)

    def outdated(self) -> str | None:
        """Why the existing collection cannot serve this version (None when it can)."""
        info = self.client.describe_collection(self.collection)
        fields = {f.get("name"): f for f in info.get("fields", [])}
        missing = [name for name in ("vector", *_SCALAR_OUTPUT) if name not in fields]
        if missing:
            return f"lacks the fields {', '.join(missing)} (it was built by an older moodreel)"
        dim = int(fields["vector"].get("params", {}).get("dim", self.dimension))
        if dim != self.dimension:
            return f"holds {dim}-d vectors where this version makes {self.dimension}-d ones"
        return None

    def is_current(self) -> bool:
        return self.exists() and self.outdated() is None

    def _load(self) -> None:
        if not self._loaded:
            self.client.load_collection(self.collection)
            self._loaded = True

    def _require(self) -> None:
        if not self.exists():
            raise StoreError(f"no collection {self.collection!r} at {self.uri}: run `python -m ingest` first")
        if not self._loaded:
            problem = self.outdated()
            if problem:
                raise OutdatedStoreError(
                    f"the store {self.collection!r} at {self.uri} {problem}: run `python -m ingest --rebuild`"
                )
        self._load()

    def drop(self) -> None:
        if self.exists():
            self.client.drop_collection(self.collection)
        self._loaded = False
        self.rows.clear()

    def close(self) -> None:
        if self._client is not None:  # a lazy store never used has nothing to close
            self._client.close()

    @contextmanager
    def rebuilding(self) -> Iterator[None]:
        """Writes inside the block go to a fresh side collection, which replaces the live one
        only when the block succeeds: a failed or killed rebuild leaves the store as it was
        (a side collection left by a killed run is dropped by the next rebuild)."""
        live = self.collection
        self.collection = live + REBUILD_SUFFIX
        self._loaded = False
        try:
            self.drop()
            yield
            self.flush()
        except BaseException:
            try:
                self.drop()
            except Exception:  # the original error matters more than a failed clean-up
                log.debug("could not drop %s", self.collection, exc_info=True)
            self.collection, self._loaded = live, False
            raise
        side, self.collection = self.collection, live
        if not self.client.has_collection(side):  # nothing was written: an empty new store
            self.drop()
            return
        if self.client.has_collection(live):
            self.client.release_collection(live)
            self.client.drop_collection(live)
        self.client.rename_collection(side, live)
        self._loaded = False
        log.info("rebuilt collection %s at %s", live, self.uri)

    # ---- writes ------------------------------------------------------------------
    def upsert(self, items: Sequence[IndexedTitle]) -> int:
        if not items:
            return 0
        from pymilvus.exceptions import MilvusException

        try:
            self.client.upsert(self.collection, [to_row(item) for item in items])
        except MilvusException as exc:
            raise StoreError(
                f"writing {len(items)} titles to {self.uri} failed: {exc.message} "
                "(titles written before are kept; a re-run resumes)"
            ) from None
        return len(items)

    def delete(self, ids: Iterable[str]) -> None:
        ids = _catalog_ids(list(ids))
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
        """The stored titles among ``ids``; an id not in the catalog's format cannot be stored,
        so it is never sent (pymilvus pastes ids into an expression unquoted)."""
        ids = _catalog_ids(ids)
        if not ids:
            return []
        self._require()
        rows = self.client.get(self.collection, ids=ids, output_fields=_SCALAR_OUTPUT)
        return [from_row(r) for r in rows]

    def all_titles(self, fields: Sequence[str] | None = None) -> list[StoredTitle]:
        return [from_row(r) for r in self._scan(list(fields or _SCALAR_OUTPUT))]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        ids = _catalog_ids(ids)
        if not ids:
            return {}
        self._require()
        rows = self.client.get(self.collection, ids=ids, output_fields=["id", "vector"])
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
        titles = sum(extractors.values())
        return {
            "titles": titles,
            "by_extractor": dict(sorted(extractors.items())),
            "by_type": dict(sorted(types.items())),
            "uri": self.uri,
            "collection": self.collection,
            "advice": size_advice(self.uri, titles),
        }

    def search(
        self, vector: np.ndarray, k: int, filters: SearchFilters | None = None, with_vectors: bool = False
    ) -> list[Hit]:
        """The ``k`` titles with the largest inner product with ``vector`` that pass ``filters``."""
        self._require()
        kept = self.rows.enabled
        # with rows kept, each hit's id and version only (its row comes from memory, or is read)
        fields = list(_VERSION) if kept else _SCALAR_OUTPUT + (["vector"] if with_vectors else [])
        expression = filter_expression(filters)

        def run(ef: int, expression: str = expression, limit: int = k):
            return self.client.search(
                self.collection,
                data=[[float(x) for x in vector]],
                filter=expression,
                limit=limit,
                output_fields=fields,
                search_params={"metric_type": METRIC, "params": {"ef": ef}},
            )

        if kept and filters is not None and filters.has_list_filters():
            found = self._lists_in_memory(run, k, filters, with_vectors)
            if found is not None:
                return found
        # The graph search visits ``ef`` candidates and filters them afterwards: a selective
        # filter (G-rated titles, before 1966) found 10 of 231 and 2 of 9 titles at ef=64.
        results = run(max(SEARCH_EF, k, FILTERED_EF if expression else 0))
        if expression and (len(results[0]) if results else 0) < k:
            results = run(EXHAUSTIVE_EF)  # fewer than asked: look at (nearly) everything
        if kept:
            return self._kept_hits(results[0] if results else [], with_vectors)
        hits = []
        for row in results[0] if results else []:
            entity = row.get("entity", row)
            vec = entity.get("vector") if with_vectors else None
            hits.append(
                Hit(
                    title=from_row(row),
                    similarity=float(row["distance"]),
                    vector=None if vec is None else np.asarray(vec, dtype=np.float32),
                )
            )
        return hits

    def _kept_hits(self, rows: list[dict], with_vectors: bool) -> list[Hit]:
        """Hits from rows of (id, distance, version): each title from memory when it is kept at
        that version, else read (with its vector) and kept. A title gone since the search is left out."""
        found: dict[str, KeptRow] = {}
        ranked: list[tuple[str, float]] = []  # (id, similarity), in the search's order
        missing: list[str] = []
        for row in rows:
            entity = row.get("entity", row)
            title_id = str(row.get("id", entity.get("id")))
            ranked.append((title_id, float(row["distance"])))
            got = self.rows.get(title_id, (entity.get("content_hash", ""), entity.get("source_key", "")))
            if got is None:
                missing.append(title_id)
            else:
                found[title_id] = got
        if missing:
            fresh = self.client.get(self.collection, ids=missing, output_fields=_SCALAR_OUTPUT + ["vector"])
            for entity in fresh:
                found[entity["id"]] = self.rows.put(from_row(entity), entity["vector"])
        return [
            Hit(
                title=found[title_id].title.model_copy(),  # the caller's own: kept rows are shared
                similarity=similarity,
                vector=found[title_id].vector if with_vectors else None,
            )
            for title_id, similarity in ranked
            if title_id in found
        ]

    def _lists_in_memory(
        self, run: Callable[..., Any], k: int, filters: SearchFilters, with_vectors: bool
    ) -> list[Hit] | None:
        """A search whose filters name genres or countries, with those checked on the kept rows
        instead of by Milvus (Milvus Lite reads a list field slowly: 5,849 titles, 60 hits, 13 ms
        unfiltered, 265 ms with ``not array_contains_any(genres, ...)``): Milvus filters the rest
        and returns enough hits to leave ``k`` once the lists are checked (by the share of kept
        titles that pass them). None when too few pass: the caller asks Milvus for the whole filter."""
        lists = filters.model_dump_json(include=set(LIST_FIELDS))
        share = self.rows.share(lists, lambda t: filters.lists_admit(t.genres, t.production_countries))
        wanted = k * LIST_OVERFETCH if share is None else math.ceil(1.5 * k / max(share, 1e-3)) + k
        limit = min(MAX_LIMIT, wanted)
        rest = filter_expression(filters.without_list_filters())
        found = run(max(SEARCH_EF, limit, FILTERED_EF if rest else 0), rest, limit)
        hits = [
            h
            for h in self._kept_hits(found[0] if found else [], with_vectors)
            if filters.lists_admit(h.title.genres, h.title.production_countries)
        ]
        return hits[:k] if len(hits) >= k else None

    def keep_rows(self) -> int:
        """Read every stored row into memory now, when they all fit (``kept_rows``): the first
        searches then read ids only. Returns how many rows are kept."""
        if not self.rows.enabled or not self.exists() or self.count() > self.rows.size:
            return len(self.rows)
        for entity in self._scan(_SCALAR_OUTPUT + ["vector"]):
            self.rows.put(from_row(entity), entity["vector"])
        self.rows.mark_complete()
        return len(self.rows)


class OutdatedStoreError(StoreError):
    """The collection was built by an older version (other fields or vector size)."""


class _HeldRecords(logging.Filter):
    """Keeps (and hides) the records of a logger while a call runs."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def filter(self, record: logging.LogRecord) -> bool:
        self.records.append(record)
        return False

    def exception(self) -> BaseException | None:
        for record in reversed(self.records):
            if record.exc_info and record.exc_info[1] is not None:
                return record.exc_info[1]
        return None


def _catalog_ids(ids: Sequence[str]) -> list[str]:
    """``ids`` without the ones no stored title can have (``records.is_title_id``), in order."""
    return [i for i in dict.fromkeys(ids) if is_title_id(i)]


def filter_expression(filters: SearchFilters | None) -> str:
    """Validated filters -> a Milvus boolean expression. Only validated values reach it:
    enums, numbers, and names that match strict patterns, quoted with ``json.dumps``."""
    if filters is None:
        return ""
    f = filters
    parts: list[str] = []
    if f.type:
        parts.append(f"type == {json.dumps(f.type)}")
    if f.genres:
        parts.append(f"array_contains_any(genres, {json.dumps(f.genres)})")
    for genre in f.required_genres:
        parts.append(f"array_contains(genres, {json.dumps(genre)})")
    if f.exclude_genres:
        parts.append(f"not array_contains_any(genres, {json.dumps(f.exclude_genres)})")
    if f.min_year is not None:
        parts.append(f"release_year >= {int(f.min_year)}")
    if f.max_year is not None:
        parts.append(f"(release_year >= 0 and release_year <= {int(f.max_year)})")
    if f.max_runtime is not None:
        parts.append(f"(runtime >= 0 and runtime <= {int(f.max_runtime)})")
    if f.age_certifications:
        parts.append(f"age_certification in {json.dumps(f.age_certifications)}")
    if f.exclude_certifications:
        parts.append(f"not (age_certification in {json.dumps(f.exclude_certifications)})")
    if f.countries:
        parts.append(f"array_contains_any(production_countries, {json.dumps(f.countries)})")
    if f.min_imdb_score is not None:
        parts.append(f"imdb_score >= {float(f.min_imdb_score)}")
    return " and ".join(parts)


class VectorStore(Protocol):
    """What the product needs of a store of titles and their vectors."""

    dimension: int

    def ensure_collection(self, rebuild_outdated: bool = False) -> None: ...
    def is_current(self) -> bool: ...
    def upsert(self, items: Sequence[IndexedTitle]) -> int: ...
    def fingerprints(self) -> dict[str, tuple[str, str]]: ...
    def flush(self) -> None: ...
    def count(self) -> int: ...
    def get(self, ids: Sequence[str]) -> list[StoredTitle]: ...
    def all_titles(self, fields: Sequence[str] | None = None) -> list[StoredTitle]: ...
    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]: ...
    def keep_rows(self) -> int: ...
    def search(
        self, vector: np.ndarray, k: int, filters: SearchFilters | None = None, with_vectors: bool = False
    ) -> list[Hit]: ...
