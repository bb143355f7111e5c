"""Mood parsers on GoEmotions: micro/macro-F1 over the 28 labels, next to a zero-shot baseline.

    python bench/goemotions.py [--data PATH] [--limit N] [--llm-limit 100] [--json]

- classifier: the default parser's raw label sets (moodreel.mood.classifier).
- llm: the LLM parser's words mapped to the 28 labels: a word that is a label counts as
  itself, any other word as the label whose name embedding is nearest (cosine >= 0.5),
  or nothing; no word at all counts as "neutral". Slow on CPU, so on --llm-limit rows.
- zero-shot: the label whose name embedding is nearest to the whole sentence.
Reference points: fine-tuned BERT-base macro-F1 0.46 (GoEmotions paper); zero-shot ~0.13.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moodreel.mood.goemotions import DEV_PATH, LABELS, evaluate, load_goemotions  # noqa: E402

SHARED_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "goemotions" / "dev.tsv"
MAP_THRESHOLD = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=SHARED_DEV if SHARED_DEV.exists() else DEV_PATH)
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows (0: all)")
    parser.add_argument("--llm-limit", type=int, default=100, help="rows for the LLM parser (0: skip it)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from moodreel.mood.classifier import ClassifierMoodParser
    from moodreel.services import build_services
    from moodreel.settings import Settings

    rows = load_goemotions(args.data)[: args.limit or None]
    services = build_services(Settings())
    embedder = services.embedder
    names = embedder.embed(list(LABELS))
    results: dict[str, dict] = {}

    start = time.perf_counter()
    results["classifier"] = evaluate(ClassifierMoodParser(embedder).predict_labels, rows)
    results["classifier"]["ms_per_text"] = round(1000 * (time.perf_counter() - start) / len(rows), 1)

    def zero_shot(texts: list[str]) -> list[list[str]]:
        return [[LABELS[int(i)]] for i in (embedder.embed(texts) @ names.T).argmax(axis=1)]

    start = time.perf_counter()
    results["zero-shot"] = evaluate(zero_shot, rows)
    results["zero-shot"]["ms_per_text"] = round(1000 * (time.perf_counter() - start) / len(rows), 1)

    if args.llm_limit:
        from moodreel.mood.base import MoodError
        from moodreel.search.recommender import make_mood_parser

        llm = make_mood_parser(services, "llm")

        def to_labels(words: list[str]) -> list[str]:
            out = []
            vectors = embedder.embed(words) if words else []
            for word, vector in zip(words, vectors):
                if word in LABELS:
                    out.append(word)
                    continue
                sims = names @ vector
                if sims.max() >= MAP_THRESHOLD:
                    out.append(LABELS[int(sims.argmax())])
            return list(dict.fromkeys(out)) or ["neutral"]

        def predict_llm(texts: list[str]) -> list[list[str]]:
            out = []
            for text in texts:
                try:
                    out.append(to_labels(llm.parse(text).emotions))
                except MoodError:
                    out.append(["neutral"])
            return out

        subset = rows[: args.llm_limit]
        start = time.perf_counter()
        results["llm"] = evaluate(predict_llm, subset)
        results["llm"]["ms_per_text"] = round(1000 * (time.perf_counter() - start) / len(subset), 1)
        results["classifier-on-llm-rows"] = evaluate(ClassifierMoodParser(embedder).predict_labels, subset)

    summary = {
        "macro_f1": round(results["classifier"]["macro_f1"], 4),
        "default": "classifier",
        "data": str(args.data),
    }
    for name, r in results.items():
        summary[name] = {
            k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items() if k != "per_label"
        }
    if args.json:
        print(json.dumps(summary))
        return
    print(f"GoEmotions, {args.data} ({len(rows)} rows)")
    print(f"| {'parser':<24} | {'rows':>5} | macro-F1 | micro-F1 | ms/text |")
    print(f"|{'-' * 26}|-------|----------|----------|---------|")
    for name, r in results.items():
        ms = r.get("ms_per_text", "")
        print(f"| {name:<24} | {r['n']:>5} | {r['macro_f1']:>8.3f} | {r['micro_f1']:>8.3f} | {ms:>7} |")


if __name__ == "__main__":
    main()
