"""Ingest throughput: embed+upsert vs raw SentenceTransformer.encode on the same texts.

    python bench/ingest.py [--limit 1000] [--llm-titles 3] [--json]

Both sides embed the emotion words of the same titles (fast-extractor vibes). "raw" is
one ``SentenceTransformer.encode`` call over every title's words; "pipeline" is what
ingest does per title: vibe vector (with its word memo), row building and Milvus Lite
upsert into a fresh temporary store. LLM extraction is timed on a few real titles.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moodreel.catalog import load_catalog  # noqa: E402
from moodreel.embedding import SentenceTransformerEmbedder, VibeEncoder  # noqa: E402
from moodreel.services import quiet_libraries  # noqa: E402
from moodreel.settings import Settings  # noqa: E402
from moodreel.store import MilvusStore, to_row  # noqa: E402
from moodreel.vibes.fast_extractor import FastExtractor  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--catalog", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=1000, help="titles to embed and upsert")
    parser.add_argument(
        "--llm-titles", type=int, default=3, help="titles to extract with the local LLM (0: skip)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
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
        store = MilvusStore.open(str(Path(tmp) / "bench.db"), dimension=embedder.dimension)
        store.ensure_collection()
        start = time.perf_counter()
        encoder = VibeEncoder(embedder)
        for i in range(0, len(titles), 256):
            chunk = list(zip(titles[i : i + 256], vibes[i : i + 256]))
            vectors = encoder.encode([v.emotions for _, v in chunk])
            store.upsert([to_row(t, v, vec) for (t, v), vec in zip(chunk, vectors)])
        pipeline_s = time.perf_counter() - start
        assert store.count() == len(titles)
        store.close()

    result = {
        "titles": len(titles), "emotion_words": len(flat), "distinct_words": len(set(flat)),
        "raw_encode_titles_per_s": round(len(titles) / raw_s, 1),
        "pipeline_titles_per_s": round(len(titles) / pipeline_s, 1),
        "pipeline_vs_raw": round(raw_s / pipeline_s, 2),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores", "device": embedder.device,
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

    if args.json:
        print(json.dumps(result))
        return
    print(
        f"Ingest throughput, {result['titles']} titles ({result['emotion_words']} emotion words, "
        f"{result['distinct_words']} distinct), {result['machine']}, {result['device']}"
    )
    print(f"| {'stage':<34} | {'titles/s':>10} |")
    print(f"|{'-' * 36}|{'-' * 12}|")
    print(f"| {'raw SentenceTransformer.encode':<34} | {result['raw_encode_titles_per_s']:>10} |")
    print(f"| {'pipeline: vibe vectors + upsert':<34} | {result['pipeline_titles_per_s']:>10} |")
    print(f"pipeline reaches {100 * result['pipeline_vs_raw']:.0f}% of raw encode speed")
    if "llm_titles_per_min" in result:
        print(
            f"LLM extraction: {result['llm_titles_per_min']} titles/min "
            f"({result['llm_valid']}/{result['llm_titles']} valid, {result['llm_threads']} threads)"
        )


if __name__ == "__main__":
    main()
