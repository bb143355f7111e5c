"""Steering a local model's words toward a viewer: β × cos(token vector, viewer vector) on the logits.

The user-embedding prototype's idea: while decoding, each candidate token's logit gets
``beta * cos(token vector, viewer vector)`` added. Here the viewer vector lives in the
sentence-embedding (MiniLM) space the profile's taste is built in (liked titles' vibe and plot
parts, ``viewer_vector``), and a token's vector is the embedding of its decoded text. Only
the ``top_k`` most likely candidates of each step are touched (the rest could not be picked
anyway), and only word-like tokens get a vector (punctuation, pieces of words and special
tokens get none: they are never pushed).

Token vectors are computed once per model, the first time a token is a candidate, and kept
on disk (``TokenVectorCache``, one ``.npz`` per model id), so later runs embed nothing new.

It needs the logits, so only the in-process llama.cpp backend can steer; an OpenAI-compatible
endpoint returns text only (``SteeringUnavailable``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from moodreel.embedding import Embedder
from moodreel.errors import MoodreelError

TOP_K = 50
MAX_BETA = 10.0
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")


class SteeringUnavailable(MoodreelError):
    """Steering was asked of a backend that gives no access to the logits."""


def is_word(text: str) -> bool:
    """A token worth a vector: two or more letters (after its leading space)."""
    return bool(_WORD.fullmatch(text.strip()))


def viewer_vector(taste: Sequence[float] | None, d: int) -> np.ndarray | None:
    """The viewer in sentence-embedding space: the sum of the taste's unit vibe and plot parts.

    ``taste`` is the profile's fused taste vector (``[vibe (d) | plot (d) | ...]``, see
    ``moodreel.signals``); None when the viewer has no taste yet.
    """
    if taste is None:
        return None
    t = np.asarray(taste, dtype=np.float32)
    parts = [t[:d], t[d : 2 * d]]
    out = sum(p / n for p in parts if (n := float(np.linalg.norm(p))) > 0)
    if isinstance(out, int) or float(np.linalg.norm(out)) == 0:
        return None
    return (out / np.linalg.norm(out)).astype(np.float32)


class TokenVectors:
    """Unit vectors of one model's tokens (zeros for non-word tokens), filled on demand, saved to ``path``."""

    def __init__(self, embedder: Embedder, path: Path, decode: Callable[[int], str]) -> None:
        self._embedder = embedder
        self._path = path
        self._decode = decode
        self._lock = threading.Lock()
        self._vectors: dict[int, np.ndarray] = {}
        self._dirty = False
        if path.exists():
            data = np.load(path)
            self._vectors = dict(zip(data["ids"].tolist(), data["vectors"].astype(np.float32)))

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, ids: Sequence[int]) -> np.ndarray:
        """(len(ids), d) unit vectors, zeros for tokens that are not words."""
        with self._lock:
            missing = [i for i in dict.fromkeys(int(i) for i in ids) if i not in self._vectors]
            if missing:
                self._fill(missing)
            return np.stack([self._vectors[int(i)] for i in ids])

    def _fill(self, ids: list[int]) -> None:
        d = self._embedder.dimension
        texts = {i: self._decode(i).strip() for i in ids}
        words = [i for i in ids if is_word(texts[i])]
        if words:
            vecs = np.asarray(self._embedder.embed([texts[i] for i in words]), dtype=np.float32)
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            vecs = (vecs / np.where(norms == 0, 1, norms)).astype(np.float32)
            self._vectors.update(zip(words, vecs))
        zero = np.zeros(d, dtype=np.float32)
        for i in ids:
            self._vectors.setdefault(i, zero)
        self._dirty = True

    def save(self) -> None:
        with self._lock:
            if not self._dirty:
                return
            self._path.parent.mkdir(parents=True, exist_ok=True)
            ids = np.asarray(sorted(self._vectors), dtype=np.int64)
            vectors = np.stack([self._vectors[int(i)] for i in ids]).astype(np.float16)
            partial = self._path.with_suffix(".partial.npz")
            np.savez(partial, ids=ids, vectors=vectors)
            partial.replace(self._path)
            self._dirty = False


class TokenVectorCache:
    """``TokenVectors`` per model id, kept under ``directory``."""

    def __init__(self, embedder: Embedder, directory: Path) -> None:
        self.embedder = embedder
        self.directory = directory
        self._models: dict[str, TokenVectors] = {}
        self._lock = threading.Lock()

    def for_model(self, model_id: str, decode: Callable[[int], str]) -> TokenVectors:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)
        with self._lock:
            if model_id not in self._models:
                path = self.directory / f"{safe}.{getattr(self.embedder, 'name', 'embedder')}.npz"
                self._models[model_id] = TokenVectors(self.embedder, path, decode)
            return self._models[model_id]

    def save(self) -> None:
        """Write every model's new token vectors to disk."""
        with self._lock:
            models = list(self._models.values())
        for tokens in models:
            tokens.save()


@dataclass
class LogitSteerer:
    """The logits processor: ``scores[top_k] += beta * (token vectors @ viewer)``."""

    tokens: TokenVectors
    viewer: np.ndarray
    beta: float
    top_k: int = TOP_K
    steps: int = field(default=0, init=False)

    def __call__(self, input_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        self.steps += 1
        if self.beta == 0:
            return scores
        k = min(self.top_k, scores.shape[-1])
        top = np.argpartition(scores, -k)[-k:]
        out = np.array(scores, copy=True)
        out[top] += self.beta * (self.tokens.get(top.tolist()) @ self.viewer)
        return out


@dataclass(frozen=True)
class Steering:
    """A request to steer one generation: the viewer vector, β and where token vectors come from."""

    viewer: np.ndarray
    beta: float
    cache: TokenVectorCache
    top_k: int = TOP_K

    def processor(self, model_id: str, detokenize: Callable[[list[int]], bytes]) -> LogitSteerer:
        def decode(token: int) -> str:
            return detokenize([token]).decode("utf-8", errors="ignore")

        base_id = model_id.split("+", 1)[0]  # an adapter ("model+lora-...") keeps the base's vocabulary
        return LogitSteerer(self.cache.for_model(base_id, decode), self.viewer, self.beta, self.top_k)
