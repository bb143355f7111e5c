"""Ingest throughput: embed+upsert vs raw SentenceTransformer.encode on the same texts.

    python bench/ingest.py [--limit 1000] [--fresh 2000] [--llm-titles 3]
                           [--endpoint-titles 0] [--endpoint-concurrency 1,2,4] [--json]

Both sides embed the emotion words of the same titles (fast-extractor vibes). "raw" is
one ``SentenceTransformer.encode`` call over every title's words; "pipeline" is what
ingest does per title (``Ingestor.index``): vibe vector (with its word memo), synopsis
embedding (the plot signal), the fused ``title_vector``, row building and Milvus Lite
upsert into a fresh temporary store. LLM extraction is timed on a few real titles.

``--fresh N`` (issue 13, item 10) times the whole fast ingest of a catalog the store and the
cache have never seen (N bundled titles under new ids, no shipped vibes): the floor is the
embedder, so it is set against raw ``encode`` of the same N synopses (timed before and after
the ingest, averaged, as the machine's load drifts), with the time of each phase. Past the
bundled catalog's size its titles are used again, renamed (" #2"), so every one is new.

``--endpoint-titles N`` times the LLM extractor over an OpenAI-compatible endpoint (the
``llama_cpp.server`` the tests start, on the packaged GGUF) at each ``--endpoint-concurrency``
level: N titles not seen before per level, titles/s and valid answers, and from the measured
costs what a 1,000,000-title catalog would take.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from common import finish, make_parser, table


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument("--catalog", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=1000, help="titles to embed and upsert")
    parser.add_argument(
        "--llm-titles", type=int, default=3, help="titles to extract with the local LLM (0: skip)"
    )
    parser.add_argument(
        "--fresh", type=int, default=2000, help="titles for the fresh-catalog ingest vs raw encode (0: skip)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="raw encode / fresh ingest rounds (median kept)"
    )
    parser.add_argument(
        "--endpoint-titles",
        type=int,
        default=0,
        help="titles per level for the LLM over an endpoint (0: skip)",
    )
    parser.add_argument("--endpoint-concurrency", default="1,2,4", help="requests in flight (levels)")
    args = parser.parse_args()

    from moodreel.catalog import load_catalog
    from moodreel.embedding import SentenceTransformerEmbedder, VibeEncoder
    from moodreel.ingestion.pipeline import Ingestor
    from moodreel.services import quiet_libraries
    from moodreel.settings import Settings
    from moodreel.signals import Layout
    from moodreel.store import MilvusStore
    from moodreel.vibes.fast_extractor import FastExtractor

    quiet_libraries()
    settings = Settings()
    titles = load_catalog(args.catalog or settings.catalog_file).titles[: args.limit]
    # as ingest makes it (settings' batch size: 32, the fastest on 2 CPU cores)
    embedder = SentenceTransformerEmbedder(
        settings.embedding_model, settings.embedding_device, settings.embedding_batch_size
    )
    vibes = FastExtractor(embedder).extract(titles)
    word_lists = [v.emotions for v in vibes]
    flat = [w for words in word_lists for w in words]
    embedder.embed(flat[:64])  # warm-up

    start = time.perf_counter()
    embedder.embed(flat)
    raw_s = time.perf_counter() - start

    # Milvus Lite may still be writing its segment files after close: never fail on cleanup
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        layout = Layout(embedder.dimension)
        store = MilvusStore.open(str(Path(tmp) / "bench.db"), dimension=layout.size)
        store.ensure_collection()
        start = time.perf_counter()
        encoder = VibeEncoder(embedder)
        # the vibes are given (no extraction, no cache): only the indexing step is timed
        ingestor = Ingestor(store=store, encoder=encoder, cache=None, fast=None, layout=layout)  # type: ignore[arg-type]
        for i in range(0, len(titles), 256):
            chunk = list(zip(titles[i : i + 256], vibes[i : i + 256]))
            store.upsert(ingestor.index(chunk))
        pipeline_s = time.perf_counter() - start
        assert store.count() == len(titles)
        store.close()

    result = {
        "titles": len(titles), "emotion_words": len(flat), "distinct_words": len(set(flat)),
        "raw_encode_titles_per_s": round(len(titles) / raw_s, 1),
        "pipeline_titles_per_s": round(len(titles) / pipeline_s, 1),
        "pipeline_vs_raw": round(raw_s / pipeline_s, 2),
        "device": embedder.device,
    }  # fmt: skip

    if args.fresh > 0:
        result.update(fresh_ingest(args.catalog or settings.catalog_file, args.fresh, embedder, args.rounds))

    if args.llm_titles > 0:
        from moodreel.llm.factory import make_chat_model
        from moodreel.prompts import load_prompt
        from moodreel.vibes.llm_extractor import LLMExtractor

        extractor = LLMExtractor(make_chat_model(settings), load_prompt("extract_vibes"))
        extractor.extract_one(titles[0])  # load the model, warm the prompt prefix
        picked = titles[1 : 1 + args.llm_titles]
        start = time.perf_counter()
        ok = 0
        for title in picked:
            try:
                extractor.extract_one(title)
                ok += 1
            except Exception:
                pass
        llm_s = time.perf_counter() - start
        result.update(
            llm_titles=len(picked),
            llm_valid=ok,
            llm_titles_per_min=round(60 * len(picked) / llm_s, 2),
            llm_threads=settings.llm_threads,
        )

    if args.endpoint_titles > 0:
        levels = [int(c) for c in args.endpoint_concurrency.split(",") if c.strip()]
        result["endpoint"] = endpoint_extraction(settings, titles, args.endpoint_titles, levels)

    rows = [
        ["raw SentenceTransformer.encode of every emotion word", result["raw_encode_titles_per_s"]],
        [
            "pipeline: vibe vectors (word memo) + synopsis embeddings + Milvus Lite upsert",
            result["pipeline_titles_per_s"],
        ],  # fmt: skip
    ]
    if "fresh_titles" in result:
        rows += [
            [f"raw SentenceTransformer.encode of {result['fresh_titles']:,} synopses", result["fresh_raw_encode_titles_per_s"]],
            ["fast ingest of the same titles, new to store and cache (read, extract, embed, write)",
             result["fresh_ingest_titles_per_s"]],
            ["  the same two, titles per CPU second: raw encode", result["fresh_raw_encode_titles_per_cpu_s"]],
            ["  ... fast ingest", result["fresh_ingest_titles_per_cpu_s"]],
        ]  # fmt: skip
    if "llm_titles_per_min" in result:
        rows.append(
            [f"LLM extraction ({result['llm_valid']}/{result['llm_titles']} valid, {result['llm_threads']} threads)",
             round(result["llm_titles_per_min"] / 60, 3)]
        )  # fmt: skip
    phases = []
    if "fresh_phase_s" in result:
        total = sum(result["fresh_phase_s"].values())
        phases.append(
            table(
                f"Where a fresh fast ingest of {result['fresh_titles']:,} titles spends its time "
                f"(mean of {result['fresh_rounds']} rounds)",
                ["phase", "seconds", "share"],
                [[k, v, round(v / total, 3)] for k, v in result["fresh_phase_s"].items()],
                f"fast ingest at {result['fresh_ingest_vs_raw']:.0%} of raw encode throughput on the same "
                f"synopses by the wall clock (median of {result['fresh_rounds']} alternating rounds:"
                f" {', '.join(f'{x:.0%}' for x in result['fresh_ingest_vs_raw_per_round'])}), {result['fresh_ingest_vs_raw_cpu']:.0%} by CPU time (extract "
                "embeds each synopsis once; embed reuses it for the plot signal)",
            )
        )
    if "endpoint" in result:
        e = result["endpoint"]
        phases.append(
            table(
                f"LLM extraction over an OpenAI-compatible endpoint ({e['server']}), {e['titles']} new titles per level",
                ["requests in flight", "valid", "titles/s", "s per title", "1M titles would take (days)"],
                [
                    [
                        r["concurrency"],
                        f"{r['valid']}/{r['titles']}",
                        r["titles_per_s"],
                        r["s_per_title"],
                        round(1_000_000 / r["titles_per_s"] / 86400, 1) if r["titles_per_s"] else None,
                    ]
                    for r in e["levels"]
                ],  # fmt: skip
                e["note"],
            )
        )
    tables = [
        table(
            f"Ingest throughput, {result['titles']:,} titles ({result['emotion_words']:,} emotion words, "
            f"{result['distinct_words']} distinct), embedder on {result['device']}",
            ["stage", "titles/s"],
            rows,
            f"the pipeline runs at {result['pipeline_vs_raw']:.1f}x the speed of encoding the emotion words alone: "
            "it embeds each distinct word once, but also every synopsis (the plot signal), which dominates",
        )
    ]
    finish("ingest", args, result, tables + phases)


def say(line: str) -> None:
    """A progress line on stderr: what a run stopped part way has measured so far."""
    print(line, file=sys.stderr, flush=True)


def endpoint_extraction(settings, titles, n: int, levels: list[int]) -> dict:
    """The LLM extractor through ``ChatOpenAI`` against ``python -m llama_cpp.server`` on the
    packaged model: ``n`` titles new to it per level (the server keeps no answer cache)."""
    import os

    from moodreel.llm.factory import make_chat_model
    from moodreel.llm.local_model import ensure_model_file
    from moodreel.local_server import llama_cpp_server
    from moodreel.prompts import load_prompt
    from moodreel.vibes.llm_extractor import LLMExtractor

    model = ensure_model_file(settings.model_dir)
    threads = max(1, (os.cpu_count() or 2) - 1)
    out = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        llama_cpp_server(model, Path(tmp) / "llama.log", alias="moodreel-local", n_threads=threads) as url,
    ):
        endpoint = {"llm_backend": "openai", "openai_base_url": url, "openai_model": "moodreel-local",
                    "llm_max_retries": 0, "llm_timeout_s": 600.0}  # fmt: skip
        chat = make_chat_model(settings.model_copy(update=endpoint))
        warm = LLMExtractor(chat, load_prompt("extract_vibes"))
        warm.extract_one(titles[0])  # the server reads the model and the system prompt once
        for i, level in enumerate(levels):
            picked = titles[1 + i * n : 1 + (i + 1) * n]
            extractor = LLMExtractor(chat, load_prompt("extract_vibes"), concurrency=level)
            valid: list[bool] = []
            start = time.perf_counter()
            extractor.extract_many(
                picked, lambda t, r, valid=valid: valid.append(not isinstance(r, Exception))
            )
            seconds = time.perf_counter() - start
            say(
                f"LLM over the endpoint, {level} in flight: {sum(valid)}/{len(picked)} valid in {seconds:.1f} s"
            )
            out.append({
                "concurrency": level, "titles": len(picked), "valid": sum(valid), "seconds": round(seconds, 1),
                "titles_per_s": round(len(picked) / seconds, 3), "s_per_title": round(seconds / len(picked), 1),
            })  # fmt: skip
    return {
        "server": f"llama_cpp.server, {threads} threads",
        "titles": n,
        "levels": out,
        "note": (
            "ChatOpenAI (the app's openai backend) against `python -m llama_cpp.server` on the packaged 1.5B "
            "GGUF, this machine's CPUs. llama_cpp.server decodes one request at a time, so requests in flight "
            "only queue there; a batching server (vLLM, TGI) serves them side by side. 1M days = 10^6 / titles/s."
        ),
    }


def fresh_ingest(catalog_path: Path, n: int, embedder, rounds: int = 3) -> dict:
    """Fast ingest of ``n`` titles new to the store and cache, vs raw encode of their synopses.

    Raw encode and ingest alternate (raw, ingest, raw, ingest, ..., raw) and each ingest is
    set against the mean of the raw runs on either side of it; the median over the rounds is
    reported: on a shared machine the neighbours' load swings more than the two differ."""
    import statistics

    from moodreel.catalog import load_catalog
    from moodreel.embedding import VibeEncoder
    from moodreel.ingestion.pipeline import FAST_CHUNK, Ingestor
    from moodreel.signals import Layout
    from moodreel.store import MilvusStore
    from moodreel.vibes.cache import VibesCache
    from moodreel.vibes.fast_extractor import FastExtractor

    bundled = load_catalog(catalog_path).titles
    # past the bundled catalog, its titles again under new names: new content, so new to the cache
    source = [
        t if i < len(bundled) else t.model_copy(update={"title": f"{t.title} #{i // len(bundled) + 1}"})
        for i, t in ((i, bundled[i % len(bundled)]) for i in range(n))
    ]
    texts = [t.description for t in source if t.description.strip()]
    embedder.embed(texts[:64])  # warm-up
    layout = Layout(embedder.dimension)

    def raw() -> tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        embedder.embed(texts)
        return time.perf_counter() - start, time.process_time() - cpu

    spent = {"read": 0.0, "extract": 0.0, "embed": 0.0, "write": 0.0}
    mark = [0.0]

    def on_phase(phase: str, _n: int) -> None:
        now = time.perf_counter()
        spent[phase] += now - mark[0]
        mark[0] = now

    raws, ingests = [raw()], []
    say(f"raw encode of {len(texts):,} synopses: {raws[-1][0]:.1f} s")
    for round_ in range(rounds):
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:  # Lite may still write
            # New ids, so nothing is known; written out and read back, so "read" is timed too.
            titles = [t.model_copy(update={"id": f"fresh{round_}-{i}-{t.id}"}) for i, t in enumerate(source)]
            path = Path(tmp) / "fresh.csv"
            _write_catalog(path, titles)
            store = MilvusStore.open(str(Path(tmp) / "fresh.db"), dimension=layout.size)
            ingestor = Ingestor(
                store=store,
                encoder=VibeEncoder(embedder),
                cache=VibesCache(Path(tmp) / "vibes.sqlite"),
                fast=FastExtractor(embedder),
                chunk_size=FAST_CHUNK,
                layout=layout,
            )
            start, cpu = time.perf_counter(), time.process_time()
            catalog = load_catalog(path)
            mark[0] = time.perf_counter()
            spent["read"] += mark[0] - start
            summary = ingestor.run(catalog, "fast", on_phase=on_phase)
            ingests.append((time.perf_counter() - start, time.process_time() - cpu))
            say(f"fast ingest of {len(titles):,} new titles: {ingests[-1][0]:.1f} s, phases {spent}")
            assert summary.new == len(titles) and store.count() == len(titles), summary.as_dict()
            store.close()
        raws.append(raw())
        say(f"raw encode again: {raws[-1][0]:.1f} s")
    count = len(source)
    wall = [((raws[i][0] + raws[i + 1][0]) / 2) / ingests[i][0] for i in range(rounds)]
    cpu = [((raws[i][1] + raws[i + 1][1]) / 2) / ingests[i][1] for i in range(rounds)]
    return {
        "fresh_titles": count,
        "fresh_rounds": rounds,
        "fresh_raw_encode_titles_per_s": round(count / statistics.median(r[0] for r in raws), 1),
        "fresh_raw_encode_runs_s": [round(r[0], 1) for r in raws],
        "fresh_ingest_titles_per_s": round(count / statistics.median(r[0] for r in ingests), 1),
        "fresh_ingest_runs_s": [round(r[0], 1) for r in ingests],
        "fresh_ingest_vs_raw": round(statistics.median(wall), 3),
        "fresh_ingest_vs_raw_per_round": [round(x, 3) for x in wall],
        # CPU seconds of this process (all its threads, Milvus Lite's included)
        "fresh_raw_encode_titles_per_cpu_s": round(count / statistics.median(r[1] for r in raws), 1),
        "fresh_ingest_titles_per_cpu_s": round(count / statistics.median(r[1] for r in ingests), 1),
        "fresh_ingest_vs_raw_cpu": round(statistics.median(cpu), 3),
        "fresh_phase_s": {k: round(v / rounds, 2) for k, v in spent.items()},
        "fast_chunk": FAST_CHUNK,
    }


def _write_catalog(path: Path, titles) -> None:
    import csv

    columns = ["id", "title", "description", "type", "genres", "release_year", "runtime",
               "age_certification", "imdb_score", "imdb_votes", "tmdb_popularity", "production_countries"]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for t in titles:
            writer.writerow([
                t.id, t.title, t.description, t.type, str(list(t.genres)), t.release_year or "",
                t.runtime or "", t.age_certification or "", "" if t.imdb_score is None else t.imdb_score,
                "" if t.imdb_votes is None else t.imdb_votes, "" if t.popularity is None else t.popularity,
                str(list(t.production_countries)),
            ])  # fmt: skip


if __name__ == "__main__":
    main()
