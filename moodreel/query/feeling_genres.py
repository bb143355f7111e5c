"""Which genres carry some feelings more than the catalog does: the measured half of "less violent".

``lift(g, F) = P(a title of genre g has a feeling in F) / P(a title has one)``, counted over
the catalog's stored feelings. A follow-up that turns feelings down ("less violent":
violence, cruelty, menace, ...) also pushes down the genres whose lift is at least
``LIFT_MIN`` (on the bundled catalog, for "violent": crime 1.94, western 1.87, horror
1.64, action 1.64; thriller, at 1.45, is left alone), so that the fix does not rest on a
table of genres per word. Genres with
fewer than ``MIN_TITLES`` titles are left alone: their share is noise.
"""

from __future__ import annotations

from collections.abc import Sequence

from moodreel.records import StoredTitle

LIFT_MIN = 1.5
MIN_TITLES = 10


class FeelingGenres:
    def __init__(self, titles: Sequence[StoredTitle]) -> None:
        self._titles = [(frozenset(t.genres), frozenset(t.emotions)) for t in titles if t.emotions]
        self._memo: dict[frozenset[str], dict[str, float]] = {}

    def lifts(self, feelings: Sequence[str]) -> dict[str, float]:
        """Each genre's lift for ``feelings`` (genres with at least ``MIN_TITLES`` titles)."""
        wanted = frozenset(feelings)
        if wanted not in self._memo:
            having: dict[str, int] = {}
            total: dict[str, int] = {}
            hits = 0
            for genres, emotions in self._titles:
                has = bool(emotions & wanted)
                hits += has
                for g in genres:
                    total[g] = total.get(g, 0) + 1
                    having[g] = having.get(g, 0) + has
            base = hits / len(self._titles) if self._titles else 0.0
            self._memo[wanted] = {
                g: round(having[g] / n / base, 3)
                for g, n in sorted(total.items())
                if n >= MIN_TITLES and base
            }
        return self._memo[wanted]

    def carrying(self, feelings: Sequence[str], min_lift: float = LIFT_MIN) -> list[str]:
        """The genres that carry ``feelings`` at least ``min_lift`` times as often as the catalog, most first."""
        lifts = self.lifts(feelings)
        return sorted((g for g, v in lifts.items() if v >= min_lift), key=lambda g: (-lifts[g], g))
