"""A title's signals in one vector, and a query that weighs them per request.

A title is described by more than its eight feeling words:

    [ vibe (d) | plot (d) | genres (G) | quality, known (2) ]

- vibe: the mean of its emotion-word vectors (the product's idea, ``VibeEncoder``);
- plot: the embedding of its synopsis (never its name: a title called "Happy!" is not
  about happiness);
- genres: multi-hot over ``GENRES``, divided by sqrt(number of genres);
- quality: IMDb score above 5 times vote confidence (0..1); known: 1 when the title has
  genres and at least ``KNOWN_VOTES`` votes (the junk floor).

Every block is stored unweighted. A query is built the same way with a weight per block,
so the inner product the store computes *is* the fused score:

    score = w_vibe·cos(vibe) + w_plot·cos(plot) + w_genre·(genre prior · genres)
            + w_quality·quality + w_known·known

One vector field with the inner-product metric works on Milvus Lite and on a Milvus
2.3 server alike (no multi-vector ``hybrid_search`` needed), filters still push down,
and the per-request weights cost nothing at search time. docs/architecture.md says why
this beat a collection per signal and RRF.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from moodreel.vibes.lexicon import GENRES

KNOWN_VOTES = 100
_GENRE_INDEX = {g: i for i, g in enumerate(GENRES)}


@dataclass(frozen=True)
class Layout:
    """Where each block sits in the fused vector, for an embedding dimension ``d``."""

    d: int

    @property
    def size(self) -> int:
        return 2 * self.d + len(GENRES) + 2

    @property
    def vibe(self) -> slice:
        return slice(0, self.d)

    @property
    def plot(self) -> slice:
        return slice(self.d, 2 * self.d)

    @property
    def genres(self) -> slice:
        return slice(2 * self.d, 2 * self.d + len(GENRES))

    @property
    def quality(self) -> int:
        return 2 * self.d + len(GENRES)

    @property
    def known(self) -> int:
        return 2 * self.d + len(GENRES) + 1


@dataclass(frozen=True)
class Weights:
    """How much each signal counts for one request (see ``mood_query.weights_for``)."""

    vibe: float
    plot: float
    genre: float
    quality: float = 0.04
    known: float = 0.12


def quality_score(imdb_score: float | None, imdb_votes: int | None) -> float:
    """IMDb score above 5 (scaled to 0..1) times log-vote confidence (1M votes count fully)."""
    if imdb_score is None:
        return 0.0
    score = min(1.0, max(0.0, (imdb_score - 5.0) / 5.0))
    confidence = min(1.0, math.log10((imdb_votes or 0) + 1) / 6.0)
    return score * confidence


def is_known(genres: Sequence[str], imdb_votes: int | None) -> bool:
    """Above the junk floor: has genres and at least ``KNOWN_VOTES`` votes."""
    return bool(genres) and (imdb_votes or 0) >= KNOWN_VOTES


def genre_vector(genres: Sequence[str]) -> np.ndarray:
    out = np.zeros(len(GENRES), dtype=np.float32)
    idx = [_GENRE_INDEX[g] for g in genres if g in _GENRE_INDEX]
    if idx:
        out[idx] = 1.0 / math.sqrt(len(idx))
    return out


def title_vector(
    layout: Layout,
    vibe: np.ndarray,
    plot: np.ndarray,
    genres: Sequence[str],
    imdb_score: float | None,
    imdb_votes: int | None,
) -> np.ndarray:
    out = np.zeros(layout.size, dtype=np.float32)
    out[layout.vibe] = vibe
    out[layout.plot] = plot
    out[layout.genres] = genre_vector(genres)
    out[layout.quality] = quality_score(imdb_score, imdb_votes)
    out[layout.known] = 1.0 if is_known(genres, imdb_votes) else 0.0
    return out


def query_vector(
    layout: Layout, weights: Weights, vibe: np.ndarray, plot: np.ndarray, genre_prior: np.ndarray
) -> np.ndarray:
    """The fused query; ``genre_prior`` is a unit vector over ``GENRES`` (may be negative)."""
    out = np.zeros(layout.size, dtype=np.float32)
    out[layout.vibe] = weights.vibe * vibe
    out[layout.plot] = weights.plot * plot
    out[layout.genres] = weights.genre * genre_prior
    out[layout.quality] = weights.quality
    out[layout.known] = weights.known
    return out


@dataclass(frozen=True)
class SignalScores:
    """A title's similarity to the query, signal by signal (for ranking and "why")."""

    vibe: float
    plot: float
    genre: float


def split_scores(
    layout: Layout, title: np.ndarray, vibe: np.ndarray, plot: np.ndarray, prior: np.ndarray
) -> SignalScores:
    return SignalScores(
        vibe=float(title[layout.vibe] @ vibe),
        plot=float(title[layout.plot] @ plot),
        genre=float(title[layout.genres] @ prior),
    )
