"""More like this: the titles nearest to one title on all its signals, optionally steered by a mood.

The seed's stored fused vector (vibe | plot | genres | quality, known) is the query, so
the store's inner product compares every signal at once; the seed itself is left out.
A mood ("…but funnier") adds its own fused query vector (``MoodQuery.vector``), scaled by
``STEER_WEIGHT`` against the seed's unit vector, and its inferred filters and re-ranking
(topics, avoids) apply as in a mood search. Each pick says what it shares with the seed.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict

from moodreel.records import Hit, StoredTitle
from moodreel.signals import Layout

# The seed's unit vector scores a close neighbour about 1.2-1.6; a mood's query vector
# scores a good match about 0.5-0.7. Inception "but funnier", full catalog: at 1.0, 2 of
# 10 picks are comedies; at 1.25, 5 (all 10 still share a genre with it); at 2.0, 9
# comedies but only 2 share a genre (the seed is lost). bench/features.py measures it.
STEER_WEIGHT = 1.25
PLOT_WHY_MIN = 0.45
VIBE_WHY_MIN = 0.8


class Seed(BaseModel):
    """The title a "more like this" search starts from, as the JSON shows it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    type: str
    year: int | None
    genres: list[str]
    emotions: list[str]
    emojis: str
    imdb_id: str | None = None

    @classmethod
    def of(cls, t: StoredTitle) -> Seed:
        return cls(
            id=t.id, title=t.title, type=t.type, year=t.release_year, genres=t.genres,
            emotions=t.emotions, emojis=t.emojis, imdb_id=t.imdb_id,
        )  # fmt: skip


def like_vector(seed_vector: np.ndarray, steer: np.ndarray | None = None) -> np.ndarray:
    """The seed's unit vector, plus ``STEER_WEIGHT`` times a mood's query vector."""
    norm = float(np.linalg.norm(seed_vector)) or 1.0
    vector = np.asarray(seed_vector, dtype=np.float32) / norm
    if steer is not None:
        vector = vector + STEER_WEIGHT * np.asarray(steer, dtype=np.float32)
    return vector


def why_like(seed: StoredTitle, seed_vector: np.ndarray, hit: Hit, layout: Layout) -> list[str]:
    """What a neighbour shares with the seed: genres, feeling words, a close plot or feel."""
    t, why = hit.title, []
    shared_genres = [g for g in t.genres if g in seed.genres]
    if shared_genres:
        why.append(f"like {seed.title}: {', '.join(shared_genres[:3])}")
    shared_feelings = [e for e in t.emotions if e in seed.emotions]
    if shared_feelings:
        why.append("same feelings: " + ", ".join(shared_feelings[:3]))
    if hit.vector is not None:
        plot = _cosine(hit.vector[layout.plot], seed_vector[layout.plot])
        vibe = _cosine(hit.vector[layout.vibe], seed_vector[layout.vibe])
        if plot >= PLOT_WHY_MIN:
            why.append(f"a close story ({plot:.2f})")
        elif vibe >= VIBE_WHY_MIN and not shared_feelings:
            why.append(f"a close feel ({vibe:.2f})")
    return why


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm else 0.0
