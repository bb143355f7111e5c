"""The fast mood parser: a small multi-label head on MiniLM sentence embeddings, mixed with
word cues (``moodreel.mood.lexical``), no LLM.

The head (trained on GoEmotions by ``python -m moodreel.mood.train_classifier``) scores
the 28 GoEmotions labels; with word cues stored beside it, a label's probability is
``mix * embedding head + (1 - mix) * word model``. A label counts when its probability
passes its own tuned threshold. ``parse`` returns the non-neutral labels that pass, strongest first, and never
nothing: when only "neutral" (or no label) passes, the best non-neutral labels are used
anyway so that search has something to go on. Scoring is plain numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from moodreel.embedding import Embedder
from moodreel.errors import ConfigurationError
from moodreel.mood.base import MAX_MOOD_EMOTIONS, MoodParse, clean_mood_text
from moodreel.mood.goemotions import NEUTRAL
from moodreel.mood.lexical import KEYS as LEXICAL_KEYS
from moodreel.mood.lexical import LexicalHead
from moodreel.order import descending
from moodreel.settings import PROJECT_ROOT

DEFAULT_WEIGHTS = PROJECT_ROOT / "data" / "mood_classifier.npz"
TRAIN_HINT = "train it with `python -m moodreel.mood.train_classifier` (about 5 minutes on a 2-core CPU)"
FALLBACK_RATIO = 0.5  # with nothing firing, keep non-neutral labels at >= half their threshold


def head_probabilities(weights: dict[str, np.ndarray], embeddings: np.ndarray) -> np.ndarray:
    """Label probabilities per embedding row: sigmoid(x w1 + b1), or with a ReLU layer before w2, b2."""
    hidden = embeddings.astype(np.float32) @ weights["w1"] + weights["b1"]
    if "w2" in weights:
        hidden = np.maximum(hidden, 0.0) @ weights["w2"] + weights["b2"]
    return 1.0 / (1.0 + np.exp(-np.clip(hidden, -30.0, 30.0)))


class ClassifierHead:
    """The head stored in a .npz: weights (see ``head_probabilities``), labels, thresholds, embedder
    name, and optionally the word model's arrays (``lexical.KEYS``) with its ``mix`` weight."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise ConfigurationError(f"mood classifier weights {path} are missing: {TRAIN_HINT}")
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {key: data[key] for key in data.files}
        except (OSError, ValueError) as exc:
            raise ConfigurationError(
                f"cannot read mood classifier weights {path}: {exc}; {TRAIN_HINT}"
            ) from None
        missing = {"w1", "b1", "labels", "thresholds", "embedder"} - arrays.keys()
        if missing:
            raise ConfigurationError(f"mood classifier weights {path} lack {sorted(missing)}; {TRAIN_HINT}")
        self.weights = {
            key: arrays[key].astype(np.float32) for key in ("w1", "b1", "w2", "b2") if key in arrays
        }
        self.labels: list[str] = [str(label) for label in arrays["labels"]]
        self.thresholds = arrays["thresholds"].astype(np.float32)
        self.embedder_name = str(arrays["embedder"])
        self.dimension = self.weights["w1"].shape[0]
        output_bias = self.weights["b2" if "w2" in self.weights else "b1"]
        if output_bias.shape != (len(self.labels),) or self.thresholds.shape != (len(self.labels),):
            raise ConfigurationError(f"mood classifier weights {path} are inconsistent; {TRAIN_HINT}")
        self.lexical: LexicalHead | None = None
        self.mix = 1.0
        if all(key in arrays for key in LEXICAL_KEYS):
            try:
                self.lexical = LexicalHead(arrays)
            except ValueError as exc:
                raise ConfigurationError(f"mood classifier weights {path}: {exc}; {TRAIN_HINT}") from None
            if self.lexical.n_labels != len(self.labels):
                raise ConfigurationError(f"mood classifier weights {path} are inconsistent; {TRAIN_HINT}")
            self.mix = float(arrays["mix"]) if "mix" in arrays else 0.5

    def probabilities(self, embeddings: np.ndarray, texts: Sequence[str] = ()) -> np.ndarray:
        """Label probabilities per row; ``texts`` (the same rows) feed the word model when there is one."""
        scores = head_probabilities(self.weights, embeddings)
        if self.lexical is None or self.mix >= 1.0:
            return scores
        if len(texts) != len(embeddings):
            raise ValueError("the mood classifier's word model needs the texts of the embedded rows")
        return self.mix * scores + (1.0 - self.mix) * self.lexical.probabilities(texts)


class ClassifierMoodParser:
    """MoodParser backed by ``ClassifierHead``; about a millisecond per text beyond the embedding."""

    name = "classifier"

    def __init__(
        self,
        embedder: Embedder,
        weights_path: Path | None = None,
        max_emotions: int = MAX_MOOD_EMOTIONS,
        check_embedder: bool = True,
    ) -> None:
        self.embedder = embedder
        self.head = ClassifierHead(Path(weights_path) if weights_path else DEFAULT_WEIGHTS)
        self.max_emotions = max_emotions
        if embedder.dimension != self.head.dimension:
            raise ConfigurationError(
                f"the mood classifier expects {self.head.dimension}-d embeddings from "
                f"{self.head.embedder_name}, the embedder gives {embedder.dimension}-d"
            )
        if check_embedder and embedder.name != self.head.embedder_name:
            raise ConfigurationError(
                f"the mood classifier was trained on {self.head.embedder_name} embeddings, "
                f"not {embedder.name}; {TRAIN_HINT}"
            )
        self._neutral = self.head.labels.index(NEUTRAL) if NEUTRAL in self.head.labels else -1

    def _probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return self.head.probabilities(self.embedder.embed(list(texts)), texts)

    def predict_labels(self, texts: Sequence[str]) -> list[list[str]]:
        """Raw GoEmotions label sets (neutral allowed, possibly empty), strongest first; for evaluation."""
        if not texts:
            return []
        result = []
        for row in self._probabilities(texts):
            fired = np.flatnonzero(row >= self.head.thresholds)
            result.append([self.head.labels[i] for i in fired[descending(row[fired])]])
        return result

    def parse(self, text: str) -> MoodParse:
        row = self._probabilities([clean_mood_text(text)])[0]
        order = [i for i in descending(row) if i != self._neutral]
        chosen = [i for i in order if row[i] >= self.head.thresholds[i]]
        if not chosen:
            chosen = [i for i in order if row[i] >= FALLBACK_RATIO * self.head.thresholds[i]] or order[:1]
        chosen = chosen[: self.max_emotions]
        return MoodParse(
            emotions=[self.head.labels[i] for i in chosen],
            parser=self.name,
            scores={self.head.labels[i]: round(float(row[i]), 4) for i in chosen},
        )
