"""Rank hits by vibe similarity, with a small quality tie-breaker, and explain each match.

score = similarity + QUALITY_WEIGHT * quality, where quality in [0, 1] is the IMDb score
above 5 (scaled to 0..1) times a confidence that grows with the number of votes
(log10(votes) / 6, capped at 1: a 1M-vote title counts fully, a 100-vote one a third).
With QUALITY_WEIGHT = 0.03 it only reorders titles whose vibes are nearly equal.
Ties are broken by id, so the same input always gives the same order.

With a viewer profile, ``rank_personal`` blends in the taste similarity:
score = (1 - w) * mood_similarity + w * taste_similarity + QUALITY_WEIGHT * quality.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from moodreel.embedding import VibeEncoder
from moodreel.records import Hit

QUALITY_WEIGHT = 0.03
WHY_THRESHOLD = 0.45
WHY_MAX = 3


def quality(hit: Hit) -> float:
    title = hit.title
    if title.imdb_score is None:
        return 0.0
    score = min(1.0, max(0.0, (title.imdb_score - 5.0) / 5.0))
    confidence = min(1.0, math.log10((title.imdb_votes or 0) + 1) / 6.0)
    return score * confidence


def rank(hits: Sequence[Hit], k: int) -> list[tuple[Hit, float]]:
    scored = [(hit, hit.similarity + QUALITY_WEIGHT * quality(hit)) for hit in hits]
    scored.sort(key=lambda pair: (-round(pair[1], 6), pair[0].title.id))
    return scored[:k]


def explain(title_emotions: Sequence[str], mood_emotions: Sequence[str], encoder: VibeEncoder) -> list[str]:
    """Which of the title's emotions meet which of the mood's, best pairs first."""
    if not title_emotions or not mood_emotions:
        return []
    t = encoder.word_vectors(list(title_emotions))
    m = encoder.word_vectors(list(mood_emotions))
    sims = t @ m.T
    pairs = []
    for i, word in enumerate(title_emotions):
        j = int(np.argmax(sims[i]))
        if sims[i, j] >= WHY_THRESHOLD:
            pairs.append((float(sims[i, j]), word, mood_emotions[j]))
    pairs.sort(key=lambda p: (-p[0], p[1]))
    out = []
    for sim, word, mood_word in pairs[:WHY_MAX]:
        out.append(
            f"{word} = your {mood_word}" if word == mood_word else f"{word} ≈ your {mood_word} ({sim:.2f})"
        )
    return out


def rank_personal(
    hits: Sequence[Hit], taste: dict[str, float], weight: float, k: int
) -> list[tuple[Hit, float]]:
    """``taste`` maps id -> taste similarity; a hit's own similarity is its mood similarity."""
    scored = [
        (
            hit,
            (1 - weight) * hit.similarity
            + weight * taste.get(hit.title.id, 0.0)
            + QUALITY_WEIGHT * quality(hit),
        )
        for hit in hits
    ]
    scored.sort(key=lambda pair: (-round(pair[1], 6), pair[0].title.id))
    return scored[:k]


def explain_taste(similarity: float, like: str | None) -> str:
    return f"taste match {similarity:.2f}" + (f": like {like}" if like else "")
