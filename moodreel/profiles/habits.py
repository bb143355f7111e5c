"""What a viewer watches, apart from what it is about: films or series, era, country, length, fame.

Each watched title falls in one bin per feature:

- ``type``: MOVIE or SHOW;
- ``era``: its decade (everything before 1970 is one bin, "before 1970");
- ``country``: its first production country ("none" when the catalog names none);
- ``length``: a film's runtime (< 90, 90-119, 120-149, 150+ minutes; none for a series);
- ``fame``: how well known, by IMDb votes (none, < 1k, 1k-10k, 10k-100k, 100k-500k, 500k+).

``learn_habits`` counts the history in those bins (a 👍 counts fully, a 👎 not at all: a
viewer who turns a card down did not choose to watch it; a title rated 2 or less in the
history counts half). A title's **habit score** for a viewer is, summed over the features,
the log-ratio of how often the viewer watches its bin to how often the catalog holds it:

    habit(t) = sum_f clip(log(p_viewer(bin_f(t)) / p_catalog(bin_f(t))), -CLIP, CLIP)
    p_viewer(b) = (count_b + PRIOR_TITLES * p_catalog(b)) / (n + PRIOR_TITLES)

(a naive-Bayes "would this viewer pick this kind of title"). With few titles the viewer's
shares stay close to the catalog's and the score near 0; a clear pattern (twenty films and
no series) moves it well away. Nothing here reads the store: the catalog shares are
handed in (``CatalogShares.of``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

FEATURES = ("type", "era", "country", "length", "fame")
PRIOR_TITLES = 4.0
# A clear pattern counts up to e^3 = 20x the catalog's share: with 2 (7x), a viewer of fifteen
# 90s films (2% of the catalog) got none in an open request's top 10, now one.
CLIP = 3.0
DISLIKED_WEIGHT = 0.5
# A "clear pattern", for the why text: this share of the history in one bin, from this many titles.
CLEAR_SHARE = {"type": 0.8, "era": 0.45, "country": 0.6, "fame": 0.6}
CLEAR_MIN_TITLES = 5
FAME_BINS = ((1_000, "<1k"), (10_000, "1k-10k"), (100_000, "10k-100k"), (500_000, "100k-500k"))


def era_bin(year: int | None) -> str | None:
    if not year:
        return None
    return "before 1970" if year < 1970 else f"{year // 10 * 10}s"


def length_bin(type_: str, runtime: int | None) -> str | None:
    if type_ != "MOVIE" or not runtime:
        return None
    return "<90" if runtime < 90 else "90-119" if runtime < 120 else "120-149" if runtime < 150 else "150+"


def fame_bin(votes: int | None) -> str:
    if not votes:
        return "none"
    return next((name for limit, name in FAME_BINS if votes < limit), "500k+")


def bins(
    type_: str, year: int | None, countries: Sequence[str], runtime: int | None, votes: int | None
) -> dict[str, str | None]:
    """A title's bin for every feature (``None``: the feature says nothing about it)."""
    return {
        "type": type_ or None,
        "era": era_bin(year),
        "country": countries[0] if countries else "none",
        "length": length_bin(type_, runtime),
        "fame": fame_bin(votes),
    }


def title_bins(title) -> dict[str, str | None]:
    """Bins of a ``StoredTitle`` (or anything with its field names)."""
    return bins(title.type, title.release_year, title.production_countries, title.runtime, title.imdb_votes)


class Habits(BaseModel):
    """Weighted counts of a viewer's history per feature and bin (kept in the profile file)."""

    model_config = ConfigDict(extra="forbid")

    titles: float = 0.0
    counts: dict[str, dict[str, float]] = {}

    def share(self, feature: str, bin_: str) -> float:
        counted = self.counts.get(feature, {})
        total = sum(counted.values())
        return counted.get(bin_, 0.0) / total if total else 0.0

    def top(self, feature: str) -> tuple[str, float] | None:
        """The feature's most-watched bin and its share, when it is a clear pattern."""
        counted = self.counts.get(feature, {})
        total = sum(counted.values())
        if total < CLEAR_MIN_TITLES:
            return None
        best = max(sorted(counted), key=lambda b: counted[b])
        share = counted[best] / total
        return (best, share) if share >= CLEAR_SHARE.get(feature, 1.1) else None


def learn_habits(entries: Iterable[tuple[Mapping[str, str | None], float]]) -> Habits | None:
    """``entries``: (bins of a title, its weight) for each title the viewer chose to watch."""
    counts: dict[str, Counter[str]] = {f: Counter() for f in FEATURES}
    total = 0.0
    for title_bins_, weight in entries:
        if weight <= 0:
            continue
        total += weight
        for feature in FEATURES:
            value = title_bins_.get(feature)
            if value is not None:
                counts[feature][value] += weight
    if total == 0:
        return None
    return Habits(
        titles=round(total, 3),
        counts={f: {b: round(v, 3) for b, v in sorted(c.items())} for f, c in counts.items() if c},
    )


def watch_weight(rating: float, vote: int | None) -> float:
    """How much one title says about what the viewer picks to watch."""
    if vote == -1:
        return 0.0
    if vote == 1:
        return 1.0
    return DISLIKED_WEIGHT if rating <= 2.0 else 1.0


class CatalogShares(BaseModel):
    """Share of the catalog in each bin of each feature (the baseline a habit is measured against)."""

    model_config = ConfigDict(extra="forbid")

    shares: dict[str, dict[str, float]]

    @classmethod
    def of(cls, titles: Iterable) -> CatalogShares:
        counts: dict[str, Counter[str]] = {f: Counter() for f in FEATURES}
        for t in titles:
            for feature, value in title_bins(t).items():
                if value is not None:
                    counts[feature][value] += 1
        shares = {}
        for feature, counted in counts.items():
            total = sum(counted.values())
            if total:
                shares[feature] = {b: c / total for b, c in counted.items()}
        return cls(shares=shares)

    def catalog(self, feature: str, bin_: str) -> float:
        # a bin the catalog lacks (a title added later) counts as rare, not impossible
        return self.shares.get(feature, {}).get(bin_, 0.0) or 1e-3


def log_ratios(
    habits: Habits, catalog: CatalogShares, title: Mapping[str, str | None], skip: Iterable[str] = ()
) -> dict[str, float]:
    """Per feature, clip(log(p_viewer / p_catalog)) of the title's bin; 0 where it says nothing."""
    skipped = set(skip)
    out: dict[str, float] = {}
    for feature in FEATURES:
        value = title.get(feature)
        counted = habits.counts.get(feature)
        if feature in skipped or value is None or not counted:
            continue
        n = sum(counted.values())
        base = catalog.catalog(feature, value)
        viewer = (counted.get(value, 0.0) + PRIOR_TITLES * base) / (n + PRIOR_TITLES)
        out[feature] = max(-CLIP, min(CLIP, math.log(viewer / base)))
    return out
