"""Vector search at catalog sizes beyond ours: Milvus Lite, a real Milvus server, numpy, FAISS.

    python bench/scale.py [--sizes 10000,100000] [--full] [--limit N] [--queries 200]
                          [--backends lite,server,numpy,faiss-flat,faiss-hnsw]
                          [--indexes hnsw,ivf_flat,ivf_sq8] [--concurrency 8] [--json] [--save]

Synthetic catalogs whose vectors look like ours: each title is ``signals.title_vector`` in
the product's fused layout (``Layout(384)``: vibe | plot | genres | quality, known), where
the vibe is the normalized mean of 8 real MiniLM vectors of the feeling words titles get
(random normals would make HNSW recall collapse and flatter every index), the plot the
normalized mean of 4 real MiniLM vectors of topic words (from the genre descriptions),
1-3 random catalog genres and a random IMDb score and vote count; the product's own schema
and realistic scalar fields (type, year, runtime, a 200-character synopsis). Queries are
``signals.query_vector``: a vibe of 3 feeling words, a plot of 2 topic words, a genre prior
on one or two genres, under the weights a feeling, a topic or a named genre gets. The
metric is the product's inner product. For each backend and size:
- insert rate (rows/s, the product's upsert in batches of 1,000),
- index build: time from the last insert until the index covers every row (server only;
  Milvus Lite searches by scanning, FAISS HNSW builds as it adds),
- search p50/p95 for k=10, without and with a filter
  (type == "MOVIE" and release_year >= 2010, about a third of the rows),
- recall@10 against the exact inner product in numpy under the same filter.
Milvus Lite and the server go through ``moodreel.store.MilvusStore`` (AUTOINDEX, IP).
The server is the PyPI package ``milvus`` 2.3.5 (no Docker needed, no group_by or hybrid
search); ``make .venv-milvus/bin/milvus-server`` installs it. 1M rows with ``--full``.

On the server each index in ``--indexes`` is built in turn on the same rows (``hnsw`` is the
product's AUTOINDEX, HNSW on this server, searched with ``ef``; ``ivf_flat`` and ``ivf_sq8``
with nlist = 4·sqrt(rows), searched with ``nprobe``), each search setting at concurrency 1
and at ``--concurrency`` (threads sharing one client: latency per query and queries/s), and
the server's resident memory (all its processes) once the index is loaded.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from common import finish, make_parser, p50_p95_ms, table

FILTER = 'type == "MOVIE" and release_year >= 2010'
K = 10
BATCH = 1000
# index -> (index_type, build params given rows, [search params]); "hnsw" is what the product
# builds (AUTOINDEX is HNSW on a server), at ef=64 and at the ef it searches with (store.SEARCH_EF)
INDEXES: dict[str, tuple[str, Callable[[int], dict], list[dict]]] = {
    "hnsw": ("AUTOINDEX", lambda n: {}, [{"ef": 64}, {"ef": 128}]),
    "ivf_flat": (
        "IVF_FLAT",
        lambda n: {"nlist": 4 * round(math.sqrt(n))},
        [{"nprobe": 16}, {"nprobe": 64}, {"nprobe": 256}],
    ),
    "ivf_sq8": (
        "IVF_SQ8",
        lambda n: {"nlist": 4 * round(math.sqrt(n))},
        [{"nprobe": 16}, {"nprobe": 64}, {"nprobe": 256}],
    ),
}


def filters():
    """``FILTER`` as the product states it (the store translates it)."""
    from moodreel.filters import SearchFilters

    return SearchFilters(type="MOVIE", min_year=2010)


def topic_words() -> list[str]:
    """Content words of the genre descriptions: stand-ins for what synopses are about."""
    from moodreel.query.lexicon import GENRE_DESCRIPTIONS

    stop = {"a", "an", "the", "and", "about", "with", "of", "for", "that", "you", "in", "full", "film",
            "movie", "story", "makes", "real", "people's", "their", "or"}  # fmt: skip
    words = {w.strip(",.") for text in GENRE_DESCRIPTIONS.values() for w in text.split()}
    return sorted(w for w in words if w and w not in stop)


def mean_rows(vectors: np.ndarray, picks: np.ndarray) -> np.ndarray:
    out = vectors[picks].sum(axis=1)
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def synthetic_catalog(n: int, feeling_vectors: np.ndarray, topic_vectors: np.ndarray, seed: int = 0) -> dict:
    from moodreel.signals import Layout, title_vector
    from moodreel.vibes.lexicon import GENRES

    layout = Layout(feeling_vectors.shape[1])
    rng = np.random.default_rng(seed)
    vibes = mean_rows(feeling_vectors, rng.integers(0, len(feeling_vectors), size=(n, 8)))
    plots = mean_rows(topic_vectors, rng.integers(0, len(topic_vectors), size=(n, 4)))
    genres = [[str(g) for g in rng.choice(GENRES, size=rng.integers(1, 4), replace=False)] for _ in range(n)]
    imdb_score = np.round(rng.normal(6.5, 1.0, size=n).clip(1, 10), 1)
    imdb_votes = np.round(10 ** rng.normal(3.5, 1.2, size=n)).astype(int)
    vectors = np.empty((n, layout.size), dtype=np.float32)
    for i in range(n):
        vectors[i] = title_vector(
            layout, vibes[i], plots[i], genres[i], float(imdb_score[i]), int(imdb_votes[i])
        )
    return {
        "vectors": vectors,
        "type": np.where(rng.random(n) < 0.65, "MOVIE", "SHOW"),
        "release_year": rng.choice(np.arange(1950, 2024), size=n, p=_year_weights()),
        "genres": genres,
        "runtime": rng.integers(20, 180, size=n),
        "imdb_score": imdb_score,
        "imdb_votes": imdb_votes,
    }


def synthetic_queries(
    n: int, feeling_vectors: np.ndarray, topic_vectors: np.ndarray, seed: int = 1
) -> np.ndarray:
    """Fused queries like the product's: a third lean on the vibe, a third on the plot, a
    third on a named genre (``signals.query_vector``)."""
    from moodreel.signals import Layout, Weights, query_vector
    from moodreel.vibes.lexicon import GENRES

    layout = Layout(feeling_vectors.shape[1])
    rng = np.random.default_rng(seed)
    vibes = mean_rows(feeling_vectors, rng.integers(0, len(feeling_vectors), size=(n, 3)))
    plots = mean_rows(topic_vectors, rng.integers(0, len(topic_vectors), size=(n, 2)))
    mixes = [Weights(vibe=0.6, plot=0.25, genre=0.15), Weights(vibe=0.25, plot=0.6, genre=0.15),
             Weights(vibe=0.3, plot=0.2, genre=0.5)]  # fmt: skip
    out = np.empty((n, layout.size), dtype=np.float32)
    for i in range(n):
        prior = np.zeros(len(GENRES), dtype=np.float32)
        prior[rng.choice(len(GENRES), size=rng.integers(1, 3), replace=False)] = 1.0
        prior /= np.linalg.norm(prior)
        out[i] = query_vector(layout, mixes[i % len(mixes)], vibes[i], plots[i], prior)
    return out


def _year_weights() -> np.ndarray:
    years = np.arange(1950, 2024)
    weights = np.exp((years - 2023) / 12.0)
    return weights / weights.sum()


def rows_for(catalog: dict, start: int, stop: int) -> list:
    """``IndexedTitle`` records for rows ``start..stop``: what ingest hands the store."""
    from moodreel.records import IndexedTitle, Title, TitleVibes

    synopsis = ("A synthetic synopsis long enough to weigh what a real one weighs in a row. " * 3)[:200]
    items = []
    for i in range(start, stop):
        title = Title(
            id=f"s{i}",
            title=f"Synthetic title {i}",
            description=synopsis,
            type=str(catalog["type"][i]),
            genres=tuple(catalog["genres"][i]),
            release_year=int(catalog["release_year"][i]),
            runtime=int(catalog["runtime"][i]),
            imdb_score=float(catalog["imdb_score"][i]),
            imdb_votes=int(catalog["imdb_votes"][i]),
        )
        vibes = TitleVibes(
            id=title.id, content_hash="0" * 16, emotions=["joy"] * 8, emojis="🎬", extractor="fast"
        )
        items.append(IndexedTitle(title=title, vibes=vibes, vector=catalog["vectors"][i]))
    return items


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


def timed_parallel(
    search: Callable[[np.ndarray], list[int]], queries: np.ndarray, threads: int
) -> tuple[list[float], float]:
    """Latency of each query with ``threads`` in flight, and queries per second overall."""

    def one(q: np.ndarray) -> float:
        start = time.perf_counter()
        search(q)
        return time.perf_counter() - start

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, queries[:threads]))  # warm every thread's channel
        start = time.perf_counter()
        seconds = list(pool.map(one, queries))
        wall = time.perf_counter() - start
    return seconds, len(queries) / wall


def server_rss_mb(data_dir: Path) -> float | None:
    """Resident memory of the Milvus server: every process whose command line names its data dir."""
    total, found = 0, False
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if str(data_dir) not in (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace"
            ):
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    found = True
        except OSError:
            continue
    return round(total / 1024, 1) if found else None


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


def lite_backend(uri: str, catalog: dict, n: int) -> tuple[dict, Callable, Callable]:
    """The product's store on a Milvus Lite file: upsert in batches, search by scanning."""
    from moodreel.store import MilvusStore

    store = MilvusStore.open(uri, collection=f"scale_{n}", dimension=catalog["vectors"].shape[1])
    store.drop()
    store.ensure_collection()
    start = time.perf_counter()
    for first in range(0, n, BATCH):
        store.upsert(rows_for(catalog, first, min(n, first + BATCH)))
    store.flush()
    insert_s = time.perf_counter() - start

    def search(filter_) -> Callable[[np.ndarray], list[int]]:
        def run(q: np.ndarray) -> list[int]:
            return [int(h.title.id[1:]) for h in store.search(q, K, filter_)]

        return run

    return {"insert_rows_per_s": n / insert_s, "index_build_s": None}, search(None), search(filters())


def insert_only(uri: str, catalog: dict, n: int):
    """The product's upserts into a new server collection; rows/s. The index is built after."""
    from moodreel.store import MilvusStore

    store = MilvusStore.open(uri, collection=f"scale_{n}", dimension=catalog["vectors"].shape[1])
    store.drop()
    store.ensure_collection()
    # without an index while rows arrive: the server would build HNSW on each sealed segment
    # only for server_indexes to drop it (on 2 cores that doubles the run)
    store.client.release_collection(store.collection)
    store.client.drop_index(store.collection, index_name="vector")
    start = time.perf_counter()
    for first in range(0, n, BATCH):
        store.upsert(rows_for(catalog, first, min(n, first + BATCH)))
    store.flush()
    return store, n / (time.perf_counter() - start)


def server_indexes(store, n: int, names: list[str]):
    """For each index: build it on the collection's rows (time until it covers all), load,
    and yield (name, search params, build seconds, plain search, filtered search)."""
    from moodreel.store import _SCALAR_OUTPUT, METRIC, filter_expression

    client, collection = store.client, store.collection
    for name in names:
        index_type, build, searches = INDEXES[name]
        client.release_collection(collection)
        with contextlib.suppress(Exception):  # none on the first pass
            client.drop_index(collection, index_name="vector")
        params = client.prepare_index_params()
        params.add_index(field_name="vector", index_type=index_type, metric_type=METRIC, params=build(n))
        start = time.perf_counter()
        client.create_index(collection, params, sync=False)
        while True:
            info = client.describe_index(collection, index_name="vector")
            covered = int(info.get("indexed_rows", 0)) >= n
            # 2.3.5 may leave pending_index_rows at the row count once an IVF build has finished
            if covered and (int(info.get("pending_index_rows", 0)) == 0 or info.get("state") == "Finished"):
                break
            if time.perf_counter() - start > 1800:
                raise RuntimeError(f"index not built after 30 minutes: {info}")
            time.sleep(0.5)
        build_s = time.perf_counter() - start
        client.load_collection(collection)
        for search_params in searches:

            def search(expression: str, search_params=search_params) -> Callable[[np.ndarray], list[int]]:
                def run(q: np.ndarray) -> list[int]:
                    hits = client.search(
                        collection, data=[[float(x) for x in q]], filter=expression, limit=K,
                        output_fields=_SCALAR_OUTPUT,
                        search_params={"metric_type": METRIC, "params": search_params},
                    )  # fmt: skip
                    return [int(h["id"][1:]) for h in hits[0]]

                return run

            label = f"{name} " + ",".join(f"{k}={v}" for k, v in search_params.items())
            yield label, build(n), build_s, search(""), search(filter_expression(filters()))


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
    parser.add_argument("--indexes", default="hnsw", help=f"server indexes, of {','.join(INDEXES)}")
    parser.add_argument("--concurrency", type=int, default=8, help="searches in flight (server rows)")
    args = parser.parse_args()

    from moodreel.embedding import SentenceTransformerEmbedder
    from moodreel.local_server import milvus_server
    from moodreel.services import quiet_libraries
    from moodreel.store import filter_expression
    from moodreel.vibes.lexicon import EMOTIONS

    quiet_libraries()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()] + ([1_000_000] if args.full else [])
    if args.limit:
        sizes = sorted({min(s, args.limit) for s in sizes})
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"lite", "server", "numpy", "faiss-flat", "faiss-hnsw"}
    indexes = [i.strip() for i in args.indexes.split(",") if i.strip()]
    unknown |= set(indexes) - set(INDEXES)
    if unknown:
        raise SystemExit(f"--backends/--indexes: unknown {sorted(unknown)}")

    assert filter_expression(filters()) == FILTER, filter_expression(filters())
    embedder = SentenceTransformerEmbedder(device="cpu")
    words = embedder.embed(list(EMOTIONS)).astype(np.float32)
    topics = embedder.embed(topic_words()).astype(np.float32)
    queries = synthetic_queries(args.queries, words, topics)

    rows = []

    def add(
        backend: str, n: int, figures: dict, plain, filtered, exact_all, exact_filtered, extra=None
    ) -> None:
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
            **(extra or {}),
        }
        rows.append({k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()})
        if not args.json:
            print(f"{backend} {(extra or {}).get('index', ''):>18} {n:>9,} rows: search p50 {row['search_p50_ms']:.1f} ms, "
                  f"recall {row['recall_at_10']:.3f}, filtered {row['filtered_recall_at_10']:.3f}", flush=True)  # fmt: skip
            # every figure of the row as it is measured: a run stopped part way keeps what it had
            print("row " + json.dumps(rows[-1]), file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="moodreel-scale-") as tmp, contextlib.ExitStack() as stack:
        server_dir = Path(tmp) / "server"
        server_uri = stack.enter_context(milvus_server(server_dir)) if "server" in backends else None
        for n in sizes:
            catalog = synthetic_catalog(n, words, topics)
            mask = (catalog["type"] == "MOVIE") & (catalog["release_year"] >= 2010)
            exact_plain = exact_search(catalog["vectors"], None)
            exact_masked = exact_search(catalog["vectors"], mask)
            exact_all = [exact_plain(q) for q in queries]
            exact_filtered = [exact_masked(q) for q in queries]
            exact = (exact_all, exact_filtered)
            for backend in backends:
                if backend == "numpy":
                    add(
                        backend,
                        n,
                        {"insert_rows_per_s": None, "index_build_s": None},
                        exact_plain,
                        exact_masked,
                        *exact,
                    )
                elif backend.startswith("faiss"):
                    add(backend, n, *faiss_backend(backend.split("-")[1], catalog, mask), *exact)
                elif backend == "lite":
                    add(backend, n, *lite_backend(str(Path(tmp) / f"lite-{n}.db"), catalog, n), *exact)
                else:
                    store, insert_rate = insert_only(server_uri, catalog, n)
                    for label, build, build_s, plain, filtered in server_indexes(store, n, indexes):
                        c_s, qps = timed_parallel(plain, queries, args.concurrency)
                        cf_s, fqps = timed_parallel(filtered, queries, args.concurrency)
                        extra = {
                            "index": label,
                            "index_params": build,
                            "concurrency": args.concurrency,
                            **dict(zip(("concurrent_p50_ms", "concurrent_p95_ms"), p50_p95_ms(c_s))),
                            "concurrent_qps": qps,
                            **dict(zip(("concurrent_filtered_p50_ms", "concurrent_filtered_p95_ms"), p50_p95_ms(cf_s))),
                            "concurrent_filtered_qps": fqps,
                            "server_rss_mb": server_rss_mb(server_dir),
                        }  # fmt: skip
                        figures = {"insert_rows_per_s": insert_rate, "index_build_s": build_s}
                        add("server", n, figures, plain, filtered, *exact, extra)
                    store.drop()
            del catalog

    summary = {"filter": FILTER, "queries": args.queries, "dimension": int(queries.shape[1]), "metric": "IP",
               "concurrency": args.concurrency, "results": rows}  # fmt: skip
    columns = ["backend", "rows", "insert rows/s", "index build s", "search p50 ms", "p95 ms",
               "filtered p50 ms", "p95 ms", "recall@10", "filtered recall@10", "index"]  # fmt: skip
    note = (
        "lite = Milvus Lite file (scans), server = Milvus 2.3.5 standalone (hnsw = the product's AUTOINDEX, "
        "HNSW on this server; ivf_* with nlist = 4*sqrt(rows); this version lacks group_by and hybrid search), "
        "numpy = exact matrix product, faiss-flat = exact, faiss-hnsw = HNSW M=16 efConstruction=80 efSearch=64. "
        "Recall against the exact inner product in numpy. Index build: from the last insert (lite, faiss) or "
        "from create_index on all rows (server) until the index covers every row."
    )
    tables = [
        table(
            f"Vector search at scale, k={K}, {args.queries} queries, {queries.shape[1]}-d fused vectors, "
            f"inner product, filter: {FILTER}",
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
                    r.get("index", ""),
                ]
                for r in rows
            ],  # fmt: skip
            note,
        )
    ]
    server_rows = [r for r in rows if "concurrency" in r]
    if server_rows:
        tables.append(
            table(
                f"Milvus 2.3.5 server: {args.concurrency} searches in flight, and its memory",
                [
                    "index",
                    "rows",
                    "p50 ms",
                    "p95 ms",
                    "queries/s",
                    "filtered p50 ms",
                    "p95 ms",
                    "queries/s",
                    "server RSS MB",
                ],  # fmt: skip
                [
                    [
                        r["index"],
                        r["rows"],
                        r["concurrent_p50_ms"],
                        r["concurrent_p95_ms"],
                        r["concurrent_qps"],
                        r["concurrent_filtered_p50_ms"],
                        r["concurrent_filtered_p95_ms"],
                        r["concurrent_filtered_qps"],
                        r["server_rss_mb"],
                    ]
                    for r in server_rows
                ],  # fmt: skip
                f"{args.concurrency} threads share one pymilvus client; latency per query, queries/s over the run. "
                "RSS: every process of the server (its embedded etcd too) with that index loaded.",
            )
        )
    finish("scale", args, summary, tables)


if __name__ == "__main__":
    main()
