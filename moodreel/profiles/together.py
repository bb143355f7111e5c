"""Watching together: several viewers' tastes blended into one, and how well a title fits each.

- the blended taste is the normalized mean of the viewers' unit taste vectors (a viewer
  without a taste adds nothing), so no one's taste outweighs another's;
- a title any one of them disliked (rated 2 or less, or 👎) is never picked, nor one any
  of them has already seen (unless the caller keeps watched titles);
- a pick must fit every viewer better than a typical title does: its taste fit above
  each viewer's median fit over a fixed sample of the catalog (``medians``); only when
  too few candidates pass are the closest others added, last;
- candidates are re-ranked by "least misery": the mood's fused score plus
  ``MISERY_WEIGHT`` times the *lowest* taste fit among the viewers, so a title one of
  them would hate sinks even when the other loves it;
- each pick says for whom it fits: every viewer whose taste fit is at least ``FITS_MIN``.

It does not read the store: the recommender hands in candidates with their vectors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from moodreel.profiles.profile import ViewerProfile

MISERY_WEIGHT = 0.6
FITS_MIN = 0.2


@dataclass(frozen=True)
class Group:
    """Named viewers watching at once (names as the front end knows them, never stored)."""

    viewers: Mapping[str, ViewerProfile]

    def tastes(self, size: int) -> dict[str, np.ndarray]:
        """Each viewer's unit taste vector of length ``size`` (viewers without one are left out)."""
        out = {}
        for name, profile in self.viewers.items():
            if profile.taste is None or len(profile.taste) != size:
                continue
            vec = np.asarray(profile.taste, dtype=np.float32)
            norm = float(np.linalg.norm(vec))
            if norm:
                out[name] = vec / norm
        return out

    def blended(self, size: int) -> np.ndarray | None:
        """The normalized mean of the viewers' tastes (None when no one has a taste)."""
        tastes = list(self.tastes(size).values())
        if not tastes:
            return None
        mean = np.mean(tastes, axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm else None

    def disliked(self) -> set[str]:
        """Ids any viewer rated low or gave a 👎."""
        out: set[str] = set()
        for p in self.viewers.values():
            out |= {r.id for r in p.disliked}
            out |= {i for i, v in p.feedback.items() if v < 0}
        return out

    def seen(self) -> set[str]:
        out: set[str] = set()
        for p in self.viewers.values():
            out |= p.seen_ids
        return out

    def medians(self, sample: np.ndarray) -> dict[str, float]:
        """Each viewer's median taste fit over ``sample`` (rows: title vectors), the bar a pick must pass."""
        if not len(sample):
            return {}
        norms = np.linalg.norm(sample, axis=1)
        norms[norms == 0] = 1.0
        unit_rows = sample / norms[:, None]
        return {name: float(np.median(unit_rows @ t)) for name, t in self.tastes(sample.shape[1]).items()}

    def fit(self, vector: np.ndarray, size: int) -> dict[str, float]:
        """Cosine of a title vector with each viewer's taste."""
        norm = float(np.linalg.norm(vector)) or 1.0
        return {name: round(float(vector @ t) / norm, 4) for name, t in self.tastes(size).items()}


def least_misery(similarity: float, fit: Mapping[str, float]) -> float:
    """The mood's score plus the lowest taste fit among the viewers, weighted."""
    return similarity + (MISERY_WEIGHT * min(fit.values()) if fit else 0.0)


def above(fit: Mapping[str, float], medians: Mapping[str, float]) -> bool:
    """The title fits every viewer better than their median title does."""
    return all(fit.get(name, 0.0) > bar for name, bar in medians.items())


def fits_for(fit: Mapping[str, float]) -> list[str]:
    """The viewers a title fits (taste fit >= ``FITS_MIN``), best fit first."""
    return [n for n, v in sorted(fit.items(), key=lambda p: (-p[1], p[0])) if v >= FITS_MIN]
