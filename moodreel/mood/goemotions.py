"""GoEmotions (Demszky et al. 2020): the TSV loader and multi-label F1 evaluation.

Rows are ``text<TAB>comma-separated label ids<TAB>comment id`` with no header; ids index
``LABELS`` (27 = neutral). ``evaluate`` scores any batch predictor against gold label sets
with micro-F1, macro-F1 over all 28 labels (a label never gold nor predicted counts 0,
as in scikit-learn) and per-label F1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from moodreel.errors import MoodreelError
from moodreel.settings import PROJECT_ROOT

LABELS: tuple[str, ...] = (
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion",
    "curiosity", "desire", "disappointment", "disapproval", "disgust", "embarrassment",
    "excitement", "fear", "gratitude", "grief", "joy", "love", "nervousness", "optimism",
    "pride", "realization", "relief", "remorse", "sadness", "surprise", "neutral",
)  # fmt: skip
NEUTRAL = "neutral"
DATA_DIR = PROJECT_ROOT / "data" / "goemotions"
DEV_PATH = DATA_DIR / "dev.tsv"

Row = tuple[str, set[str]]


class DatasetError(MoodreelError):
    """A GoEmotions file is missing or has a malformed row."""


def load_goemotions(path: Path | str, labels: Sequence[str] = LABELS) -> list[Row]:
    """(text, gold label names) per row; a malformed row raises DatasetError naming file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read GoEmotions file {path}: {exc}") from None
    rows: list[Row] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise DatasetError(f"{path}:{number}: expected 3 tab-separated fields, got {len(fields)}")
        text, ids, _comment_id = fields
        if not text.strip():
            raise DatasetError(f"{path}:{number}: empty text")
        names: set[str] = set()
        for item in ids.split(","):
            item = item.strip()
            if not item.isdigit():
                raise DatasetError(f"{path}:{number}: label id {item!r} is not a non-negative integer")
            if int(item) >= len(labels):
                raise DatasetError(f"{path}:{number}: label id {item} is out of range 0..{len(labels) - 1}")
            names.add(labels[int(item)])
        rows.append((text, names))
    if not rows:
        raise DatasetError(f"GoEmotions file {path} has no rows")
    return rows


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def evaluate(
    predict: Callable[[list[str]], list[list[str]]], rows: Sequence[Row], labels: Sequence[str] = LABELS
) -> dict:
    """Micro-F1, macro-F1 and per-label F1 of ``predict`` (texts -> label lists) on ``rows``."""
    predictions = predict([text for text, _ in rows])
    if len(predictions) != len(rows):
        raise ValueError(f"predict returned {len(predictions)} label lists for {len(rows)} texts")
    counts = {label: [0, 0, 0] for label in labels}  # tp, fp, fn
    for (_, gold), predicted in zip(rows, predictions):
        guessed = set(predicted)
        for label in labels:
            if label in guessed:
                counts[label][0 if label in gold else 1] += 1
            elif label in gold:
                counts[label][2] += 1
    per_label = {label: _f1(*c) for label, c in counts.items()}
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    return {
        "micro_f1": _f1(*total),
        "macro_f1": sum(per_label.values()) / len(per_label),
        "per_label": per_label,
        "n": len(rows),
    }


def nearest_label_predictor(embedder) -> Callable[[list[str]], list[list[str]]]:
    """The zero-shot baseline: each text gets the one label whose name embedding is nearest."""
    names = embedder.embed(list(LABELS))

    def predict(texts: list[str]) -> list[list[str]]:
        return [[LABELS[int(i)]] for i in (embedder.embed(texts) @ names.T).argmax(axis=1)]

    return predict
