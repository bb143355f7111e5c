"""Score the fast mood parser (or the zero-shot baseline) on GoEmotions:
``python -m moodreel.mood.score_classifier [--limit N] [--zero-shot] [--weights FILE]``.

A command, kept apart from the dataset module (``moodreel.mood.goemotions``) so that the
data and metrics never depend on the parser they score.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from moodreel.mood.goemotions import DEV_PATH, evaluate, load_goemotions, nearest_label_predictor


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m moodreel.mood.score_classifier``: score the shipped classifier (or a baseline) on dev.tsv."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--path", type=Path, default=DEV_PATH, help="GoEmotions TSV to score on")
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows")
    parser.add_argument("--weights", type=Path, default=None, help="classifier weights (.npz)")
    parser.add_argument(
        "--zero-shot", action="store_true", help="baseline: the label whose name embedding is nearest"
    )
    args = parser.parse_args(argv)

    import torch

    from moodreel.embedding import SentenceTransformerEmbedder
    from moodreel.mood.classifier import ClassifierMoodParser

    torch.set_num_threads(1)
    rows = load_goemotions(args.path)[: args.limit or None]
    embedder = SentenceTransformerEmbedder(device="cpu")
    if args.zero_shot:
        predict = nearest_label_predictor(embedder)
    else:
        predict = ClassifierMoodParser(embedder, args.weights).predict_labels
    start = time.perf_counter()
    report = evaluate(predict, rows)
    seconds = time.perf_counter() - start
    for label, f1 in sorted(report["per_label"].items(), key=lambda item: -item[1]):
        print(f"{label:>15} {f1:.3f}")
    print(
        f"{args.path.name}: n={report['n']} macro-F1 {report['macro_f1']:.4f} "
        f"micro-F1 {report['micro_f1']:.4f} ({1000 * seconds / len(rows):.1f} ms per text, batched)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
