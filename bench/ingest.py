"""Ingest throughput: embed+upsert vs raw SentenceTransformer.encode on the same texts.

    python bench/ingest.py [--limit 1000] [--llm-titles 3] [--json]

Both sides embed the emotion words of the same titles (fast-extractor vibes). "raw" is
one ``SentenceTransformer.encode`` call over every title's words; "pipeline" is what
ingest does per title (``Ingestor.index``): vibe vector (with its word memo), synopsis
embedding (the plot signal), the fused ``title_vector``, row building and Milvus Lite
upsert into a fresh temporary store. LLM extraction is timed on a few real titles.
"""

from __future__ import annotations

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
    embedder = SentenceTransformerEmbedder()
    vibes = FastExtractor(embedder).extract(titles)
    word_lists = [v.emotions for v in vibes]
    flat = [w for words in word_lists for w in words]
    embedder.embed(flat[:64])  # warm-up

    start = time.perf_counter()
    embedder.embed(flat)
    raw_s = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
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

    rows = [
        ["raw SentenceTransformer.encode of every emotion word", result["raw_encode_titles_per_s"]],
        [
            "pipeline: vibe vectors (word memo) + synopsis embeddings + Milvus Lite upsert",
            result["pipeline_titles_per_s"],
        ],  # fmt: skip
    ]
    if "llm_titles_per_min" in result:
        rows.append(
            [f"LLM extraction ({result['llm_valid']}/{result['llm_titles']} valid, {result['llm_threads']} threads)",
             round(result["llm_titles_per_min"] / 60, 3)]
        )  # fmt: skip
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
    finish("ingest", args, result, tables)


if __name__ == "__main__":
    main()
