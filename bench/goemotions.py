"""Mood parsers on GoEmotions: micro/macro-F1 over the 28 labels, next to a zero-shot baseline.

    python bench/goemotions.py [--data PATH] [--limit N] [--llm-limit 40] [--json] [--save]

Label mapping: the classifier predicts the 28 GoEmotions labels themselves (exact). The
LLM parser writes free feeling words, mapped as below.
- classifier: the default parser's raw label sets (moodreel.mood.classifier: a MiniLM
  head mixed with a TF-IDF word model, trained on GoEmotions train.tsv).
- llm: the LLM parser's words mapped to the 28 labels: a word that is a label counts as
  itself, any other word as the label whose name embedding is nearest (cosine >= 0.5),
  or nothing; no word at all counts as "neutral". Slow on CPU, so on --llm-limit rows.
- zero-shot: the label whose name embedding is nearest to the whole sentence.
Reference points: fine-tuned BERT-base macro-F1 0.46 (GoEmotions paper); zero-shot ~0.13.
"""

from __future__ import annotations

import time
from pathlib import Path

from common import SHARED_DATA, finish, make_parser, table

SHARED_DEV = SHARED_DATA / "goemotions" / "dev.tsv"
MAP_THRESHOLD = 0.5
REFERENCE_POINTS = {"fine-tuned BERT-base (GoEmotions paper, test split)": 0.46}


def main() -> None:
    from moodreel.mood.goemotions import (
        DEV_PATH,
        LABELS,
        DatasetError,
        evaluate,
        load_goemotions,
        nearest_label_predictor,
    )

    parser = make_parser(__doc__)
    parser.add_argument("--data", type=Path, default=SHARED_DEV if SHARED_DEV.exists() else DEV_PATH)
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows (0: all)")
    parser.add_argument("--llm-limit", type=int, default=40, help="rows for the LLM parser (0: skip it)")
    args = parser.parse_args()

    from moodreel.mood.classifier import ClassifierMoodParser
    from moodreel.services import build_services
    from moodreel.settings import Settings

    try:
        rows = load_goemotions(args.data)[: args.limit or None]
    except DatasetError as exc:
        raise SystemExit(f"error: {exc}") from None
    services = build_services(Settings())
    embedder = services.embedder
    classifier = ClassifierMoodParser(embedder)

    def timed_evaluate(predict, subset) -> dict:
        start = time.perf_counter()
        result = evaluate(predict, subset)
        result["ms_per_text"] = round(1000 * (time.perf_counter() - start) / len(subset), 1)
        return result

    results: dict[str, dict] = {
        "classifier": timed_evaluate(classifier.predict_labels, rows),
        "zero-shot": timed_evaluate(nearest_label_predictor(embedder), rows),
    }

    if args.llm_limit:
        from moodreel.mood.base import MoodError
        from moodreel.search.recommender import make_mood_parser

        llm = make_mood_parser(services, "llm")
        names = embedder.embed(list(LABELS))

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
        results["llm"] = timed_evaluate(predict_llm, subset)
        results["classifier-on-llm-rows"] = evaluate(classifier.predict_labels, subset)

    summary = {
        "macro_f1": round(results["classifier"]["macro_f1"], 4),
        "micro_f1": round(results["classifier"]["micro_f1"], 4),
        "default": "classifier",
        "data": str(args.data),
        "rows": len(rows),
    }
    for name, r in results.items():
        summary[name] = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}
        summary[name]["per_label"] = {k: round(v, 4) for k, v in r["per_label"].items()}
    overall = [
        [name, r["n"], r["macro_f1"], r["micro_f1"], r.get("ms_per_text")] for name, r in results.items()
    ] + [[name, "", f1, None, None] for name, f1 in REFERENCE_POINTS.items()]
    per_label = [
        [label, *(results[name]["per_label"][label] for name in results)]
        for label in sorted(LABELS, key=lambda label: -results["classifier"]["per_label"][label])
    ]
    tables = [
        table(
            f"GoEmotions, {args.data.name}: {len(rows):,} rows, 28 labels",
            ["parser", "rows", "macro-F1", "micro-F1", "ms/text"],
            overall,
            "classifier = the default parser; zero-shot = nearest label name embedding (MiniLM); "
            "llm = the LLM parser, words mapped to labels (exact, else nearest label embedding >= 0.5).",
        ),
        table("Per-label F1", ["label", *results], per_label),
    ]
    finish("goemotions", args, summary, tables)


if __name__ == "__main__":
    main()
