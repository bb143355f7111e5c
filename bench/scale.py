"""Vector search at catalog sizes beyond ours: Milvus Lite, a real Milvus server, numpy, FAISS.

    python bench/scale.py [--sizes 10000,100000] [--full] [--limit N] [--queries 200]
                          [--backends lite,server,numpy,faiss-flat,faiss-hnsw] [--json] [--save]

Synthetic catalogs whose vectors look like ours: each title is the normalized mean of 8
real MiniLM vectors of the feeling words titles get (random normals would make HNSW
recall collapse and flatter every index), with the product's own schema and realistic
scalar fields (type, genres, year, runtime, score, a 200-character synopsis). Queries
are means of 3 feeling words, like a parsed mood. For each backend and size:
- insert rate (rows/s, the product's upsert in batches of 1,000),
- index build: time from the last insert until the index covers every row (server only;
  Milvus Lite searches by scanning, FAISS HNSW builds as it adds),
- search p50/p95 for k=10, without and with a filter
  (type == "MOVIE" and release_year >= 2010, about a third of the rows),
- recall@10 against exact numpy search under the same filter.
Milvus Lite and the server go through ``moodreel.store.MilvusStore`` (AUTOINDEX, COSINE).
The server is the PyPI package ``milvus`` 2.3.5 (no Docker needed, no group_by or hybrid
search); ``make .venv-milvus/bin/milvus-server`` installs it. 1M rows with ``--full``.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from common import finish, make_parser, p50_p95_ms, table

GENRES = ["drama", "comedy", "thriller", "action", "romance", "documentation", "crime", "family",
          "fantasy", "scifi", "horror", "animation", "history", "music", "war", "sport", "western"]  # fmt: skip
FILTER = 'type == "MOVIE" and release_year >= 2010'
K = 10
BATCH = 1000


def synthetic_catalog(n: int, word_vectors: np.ndarray, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(word_vectors), size=(n, 8))
    vectors = np.zeros((n, word_vectors.shape[1]), dtype=np.float32)
    for column in range(8):
        vectors += word_vectors[picks[:, column]]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return {
        "vectors": vectors,
        "type": np.where(rng.random(n) < 0.65, "MOVIE", "SHOW"),
        "release_year": rng.choice(np.arange(1950, 2024), size=n, p=_year_weights()),
        "genres": [list(rng.choice(GENRES, size=rng.integers(1, 4), replace=False)) for _ in range(n)],
        "runtime": rng.integers(20, 180, size=n),
        "imdb_score": np.round(rng.normal(6.5, 1.0, size=n).clip(1, 10), 1),
    }


def _year_weights() -> np.ndarray:
    years = np.arange(1950, 2024)
    weights = np.exp((years - 2023) / 12.0)
    return weights / weights.sum()


def rows_for(catalog: dict, start: int, stop: int) -> list[dict]:
    synopsis = "A synthetic synopsis long enough to weigh what a real one weighs in a row. " * 3
    return [
        {
            "id": f"s{i}",
            "vector": catalog["vectors"][i].tolist(),
            "title": f"Synthetic title {i}",
            "type": str(catalog["type"][i]),
            "description": synopsis[:200],
            "genres": [str(g) for g in catalog["genres"][i]],
            "release_year": int(catalog["release_year"][i]),
            "runtime": int(catalog["runtime"][i]),
            "age_certification": "",
            "imdb_score": float(catalog["imdb_score"][i]),
            "imdb_votes": -1,
            "popularity": -1.0,
            "emotions": ["joy"] * 8,
            "emojis": "🎬",
            "extractor": "fast",
            "content_hash": "0" * 16,
            "source_key": "synthetic",
        }
        for i in range(start, stop)
    ]


def timed(
    search: Callable[[np.ndarray], list[int]], queries: np.ndarray
) -> tuple[list[float], list[list[int]]]:
    search(queries[0])  # warm
    seconds, results = [], []
    for q in queries:
        start = time.perf_counter()
        results.append(search(q))
        seconds.append(time.perf_counter() - start)
    return seconds, results


def recall(results: list[list[int]], exact: list[list[int]]) -> float:
    return float(np.mean([len(set(r) & set(e)) / max(1, len(e)) for r, e in zip(results, exact)]))


def exact_search(vectors: np.ndarray, mask: np.ndarray | None) -> Callable[[np.ndarray], list[int]]:
    allowed = np.flatnonzero(mask) if mask is not None else None
    subset = vectors[allowed] if allowed is not None else vectors

    def search(q: np.ndarray) -> list[int]:
        scores = subset @ q
        top = np.argpartition(-scores, min(K, len(scores) - 1))[:K]
        top = top[np.argsort(-scores[top])]
        return (allowed[top] if allowed is not None else top).tolist()

    return search


def milvus_backend(uri: str, catalog: dict, n: int, is_server: bool) -> tuple[dict, Callable, Callable]:
    from moodreel.store import MilvusStore

    store = MilvusStore.open(uri, collection=f"scale_{n}", dimension=catalog["vectors"].shape[1])
    store.drop()
    store.ensure_collection()
    start = time.perf_counter()
    for first in range(0, n, BATCH):
        store.upsert(rows_for(catalog, first, min(n, first + BATCH)))
    store.flush()
    insert_s = time.perf_counter() - start
    build_s = None
    if is_server:
        start = time.perf_counter()
        while True:
            info = store.client.describe_index(store.collection, index_name="vector")
            if int(info.get("indexed_rows", 0)) >= n and int(info.get("pending_index_rows", 0)) == 0:
                break
            if time.perf_counter() - start > 1800:
                raise RuntimeError(f"index not built after 30 minutes: {info}")
            time.sleep(0.5)
        build_s = time.perf_counter() - start
        store.client.release_collection(store.collection)
        store.client.load_collection(store.collection)

    def search(filter_: str) -> Callable[[np.ndarray], list[int]]:
        def run(q: np.ndarray) -> list[int]:
            return [int(h.title.id[1:]) for h in store.search(q, K, filter_)]

        return run

    return {"insert_rows_per_s": n / insert_s, "index_build_s": build_s}, search(""), search(FILTER)


def faiss_backend(kind: str, catalog: dict, mask: np.ndarray) -> tuple[dict, Callable, Callable]:
    import faiss

    vectors = catalog["vectors"]
    d = vectors.shape[1]
    index = faiss.IndexFlatIP(d) if kind == "flat" else faiss.IndexHNSWFlat(d, 16, faiss.METRIC_INNER_PRODUCT)
    if kind == "hnsw":
        index.hnsw.efConstruction = 80
    start = time.perf_counter()
    index.add(vectors)
    add_s = time.perf_counter() - start
    selector = faiss.IDSelectorBatch(np.flatnonzero(mask).astype("int64"))

    def params(filtered: bool):
        sel = selector if filtered else None
        if kind == "hnsw":
            return faiss.SearchParametersHNSW(sel=sel, efSearch=64)
        return faiss.SearchParameters(sel=sel)

    def search(filtered: bool) -> Callable[[np.ndarray], list[int]]:
        p = params(filtered)

        def run(q: np.ndarray) -> list[int]:
            _, ids = index.search(q[None, :], K, params=p)
            return [int(i) for i in ids[0] if i >= 0]

        return run

    figures = {"insert_rows_per_s": len(vectors) / add_s, "index_build_s": add_s if kind == "hnsw" else None}
    return figures, search(False), search(True)


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated catalog sizes")
    parser.add_argument("--full", action="store_true", help="add the 1,000,000-row point")
    parser.add_argument("--limit", type=int, default=0, help="cap every size at N rows (quick runs)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--backends", default="lite,server,numpy,faiss-flat,faiss-hnsw")
    args = parser.parse_args()

    from moodreel.embedding import SentenceTransformerEmbedder
    from moodreel.local_server import milvus_server
    from moodreel.services import quiet_libraries
    from moodreel.vibes.lexicon import EMOTIONS

    quiet_libraries()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()] + ([1_000_000] if args.full else [])
    if args.limit:
        sizes = sorted({min(s, args.limit) for s in sizes})
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"lite", "server", "numpy", "faiss-flat", "faiss-hnsw"}
    if unknown:
        raise SystemExit(f"--backends: unknown {sorted(unknown)}")

    words = SentenceTransformerEmbedder(device="cpu").embed(list(EMOTIONS)).astype(np.float32)
    rng = np.random.default_rng(1)
    queries = words[rng.integers(0, len(words), size=(args.queries, 3))].mean(axis=1)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)

    rows = []
    with tempfile.TemporaryDirectory(prefix="moodreel-scale-") as tmp, contextlib.ExitStack() as stack:
        server_uri = (
            stack.enter_context(milvus_server(Path(tmp) / "server")) if "server" in backends else None
        )
        for n in sizes:
            catalog = synthetic_catalog(n, words)
            mask = (catalog["type"] == "MOVIE") & (catalog["release_year"] >= 2010)
            exact_plain = exact_search(catalog["vectors"], None)
            exact_masked = exact_search(catalog["vectors"], mask)
            exact_all = [exact_plain(q) for q in queries]
            exact_filtered = [exact_masked(q) for q in queries]
            for backend in backends:
                if backend == "numpy":
                    figures: dict = {"insert_rows_per_s": None, "index_build_s": None}
                    plain, filtered = exact_plain, exact_masked
                elif backend.startswith("faiss"):
                    figures, plain, filtered = faiss_backend(backend.split("-")[1], catalog, mask)
                else:
                    uri = server_uri if backend == "server" else str(Path(tmp) / f"lite-{n}.db")
                    figures, plain, filtered = milvus_backend(uri, catalog, n, backend == "server")
                plain_s, plain_hits = timed(plain, queries)
                filtered_s, filtered_hits = timed(filtered, queries)
                row = {
                    "backend": backend,
                    "rows": n,
                    **figures,
                    **dict(zip(("search_p50_ms", "search_p95_ms"), p50_p95_ms(plain_s))),
                    **dict(zip(("filtered_p50_ms", "filtered_p95_ms"), p50_p95_ms(filtered_s))),
                    "recall_at_10": recall(plain_hits, exact_all),
                    "filtered_recall_at_10": recall(filtered_hits, exact_filtered),
                }
                rows.append({k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()})
                if not args.json:
                    print(f"{backend:>10} {n:>9,} rows: search p50 {row['search_p50_ms']:.1f} ms", flush=True)

    summary = {"filter": FILTER, "queries": args.queries, "results": rows}
    columns = ["backend", "rows", "insert rows/s", "index build s", "search p50 ms", "p95 ms",
               "filtered p50 ms", "p95 ms", "recall@10", "filtered recall@10"]  # fmt: skip
    tables = [
        table(
            f"Vector search at scale, k={K}, {args.queries} queries, filter: {FILTER}",
            columns,
            [
                [
                    r["backend"],
                    r["rows"],
                    r["insert_rows_per_s"],
                    r["index_build_s"],
                    r["search_p50_ms"],
                    r["search_p95_ms"],
                    r["filtered_p50_ms"],
                    r["filtered_p95_ms"],
                    r["recall_at_10"],
                    r["filtered_recall_at_10"],
                ]
                for r in rows
            ],  # fmt: skip
            "lite = Milvus Lite file (scans), server = Milvus 2.3.5 standalone (AUTOINDEX = HNSW, searched with ef=64; "
            "this version lacks group_by and hybrid search), "
            "numpy = exact matrix product, faiss-flat = exact, faiss-hnsw = HNSW M=16 efConstruction=80 efSearch=64. "
            "Recall against exact numpy search.",
        )
    ]
    finish("scale", args, summary, tables)


if __name__ == "__main__":
    main()
