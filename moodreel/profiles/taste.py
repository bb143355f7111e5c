"""A viewer in the final order: their habits and how much popularity they follow, per request.

The taste vector (liked titles' vibe, plot and genres) already moves the store search
(``search.recommender``). What a vector cannot hold is added here, as an extra score per
candidate before ``fusion.rerank``:

    extra(t) = HABIT[kind] * habit(t) + POPULARITY[kind] * lean(viewer) * fame(t)

- ``habit(t)``: the title's habit score for the viewer (``habits.log_ratios``, summed, each
  feature times its ``FEATURE_SHARE``): films or series, era, country, length and fame as
  the history shows them. A feature the request constrains (a type, an era, a country, a
  length asked for) is left out: the request wins.
- ``fame(t)``: log10(IMDb votes + 1) / 6 (a million votes make 1; not capped).
- ``lean(viewer)``: how much better known the viewer's own titles are than the catalog's:
  (mean fame of their history - the catalog's) / (1 - the catalog's), clipped to 0..1, to
  ``LEAN_POWER``. A viewer who picks as if at random from the catalog gets no popularity
  term, a viewer of cult titles little, one of blockbusters nearly all of it.
- ``kind``: "open" (nothing specific asked), "specific" (a mood, a topic, a genre: the
  request leads, habits only shape) or "taste" (no mood at all).

The weights were tuned on simulated dev viewers (``bench/personalization.py --tune``) and
reported on a separate test set (bench/RESULTS.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from moodreel.filters import SearchFilters
from moodreel.profiles.habits import FAME_BINS, CatalogShares, Habits, log_ratios, title_bins
from moodreel.profiles.profile import ViewerProfile

# Tuned on 80 dev viewers (bench/personalization.py --tune --real 80, seed 1001; three rounds,
# bench/RESULTS.md): the highest hit-rate@10 that keeps series at most 15% of film-only viewers'
# lists and a specific mood's genres in its top 10 (open: popularity 5 scored 0.59 but showed
# film-only viewers 18% series once habits.CLIP went 2 -> 3; 3 scores 0.54 with 12%). Checked
# again on 60 dev viewers after the lean became relative to the catalog: open 0.58 hit-rate with
# 11% series; specific habit 0.15 -> 0.25: 0.27 -> 0.29 hit-rate, series 16% -> 14%.
# With the taste pool (TASTE_POOL below), on the same 80 dev viewers, the product's own lists:
# specific moods' hit-rate@10 0.15 -> 0.30 at popularity 1 (series to film-only viewers 14% -> 2%)
# and 0.375 at 5 (laugh 0.24, tense 0.45, drama 0.44; series 6%; every list still 100% in the
# mood's genres); offline over the same candidates 3: 0.355, 5: 0.375, 8: 0.383 (8 within noise).
HABIT = {"open": 0.1, "specific": 0.25, "taste": 0.15}
POPULARITY = {"open": 3.0, "specific": 5.0, "taste": 5.0}
# Each habit feature's share of HABIT[kind] (1 where a kind is not listed). For the open request,
# on the same 80 dev viewers (offline, over the product's candidates): all five at 0.1 scored
# 0.54 hit-rate@10; alone on top of popularity, era (-0.13), country (-0.06) and length (-0.10)
# each cost hits and films-or-series gained (+0.03); type 0.2, era 0.05, country 0.05 scored 0.64
# with 4% series to film-only viewers (most-voted 0.65). Era and country stay, softly: a
# 90s-heavy history still shifts an open request toward the 90s (tests/test_taste.py).
FEATURE_SHARE = {"open": {"type": 2.0, "era": 0.5, "country": 0.5, "length": 0.0, "fame": 0.0}}
# 1 (was 2 with the lean then the plain mean fame: both give a blockbuster viewer ~0.85)
LEAN_POWER = 1.0
# Candidates read from the store for a viewer, so that habits have titles to choose among.
POOL = 150
# A specific mood's own candidates rarely hold what a viewer goes on to watch (dev viewers, seed
# 1001: a held-out like among the 150 for "make me laugh" 2.5%, "a moving drama" 9%): the
# search near the mood favours titles that only *feel* like it (obscure comedies full of
# laughter words). A second search, led by the taste (``TASTE_POOL_WEIGHT``, on the taste
# vector's scale in the recommender), adds up to ``TASTE_POOL`` titles, each only when it is at
# least ``GENRE_GATE`` times as much in the request's genres as the mood's own candidates are
# (the median of their genre term): relative to the request, so "make me laugh" lets in
# comedies only and "something tense" thrillers. bench/personalization.py --tune measures it.
# It costs one more store search (Milvus Lite returns ~0.5-0.8 ms a row here): on the shared,
# loaded 2-core bench machine "make me laugh" with a viewer went 148 -> 422 ms (p50 of 7), the
# search step over the 20 latency moods 156 -> 511 ms. Since searches read ids only (the rows
# are kept in memory: ``row_cache``), mood -> cards with a viewer is 131 ms p50 on a quiet
# 2-core machine (bench/latency.py; 338 ms before). Offline on the dev viewers, 150 titles
# instead of 300 scored 0.32 instead of 0.375 with 11% series to film-only viewers (7% at 300).
TASTE_POOL = 300
TASTE_POOL_WEIGHT = 3.0
GENRE_GATE = 0.5
# Fame of each votes bin (log10 of a typical count / 6), for a viewer's lean.
_BIN_FAME = {"none": 0.0, **{name: min(1.0, math.log10(limit / 3) / 6) for limit, name in FAME_BINS}}
_BIN_FAME["500k+"] = 1.0
CATALOG_FIELDS = ["id", "title", "type", "release_year", "production_countries", "runtime", "imdb_votes"]
# A habit named in the why only when it moves the title at least this much (log-ratio).
WHY_MIN_RATIO = 0.3
# A country only when the viewer watches it at least e times as often as the catalog holds it:
# "Korean series" says something, "American films" (a third of the catalog) does not.
WHY_MIN_RATIO_COUNTRY = 1.0
COUNTRY_ADJECTIVES = {
    "US": "American", "GB": "British", "IN": "Indian", "JP": "Japanese", "KR": "Korean", "CA": "Canadian",
    "FR": "French", "ES": "Spanish", "MX": "Mexican", "DE": "German", "CN": "Chinese", "AU": "Australian",
    "BR": "Brazilian", "TR": "Turkish", "EG": "Egyptian", "NG": "Nigerian", "IT": "Italian",
    "TW": "Taiwanese", "HK": "Hong Kong", "PH": "Filipino", "TH": "Thai", "ID": "Indonesian",
    "AR": "Argentinian", "CO": "Colombian", "SE": "Swedish", "NO": "Norwegian", "DK": "Danish",
}  # fmt: skip


def _decade(era: str) -> str:
    """ "1990s" -> "90s"; "2010s" stays."""
    return era[2:] if era < "2000s" else era


def fame(votes: int | None) -> float:
    """log10(votes + 1) / 6, not capped: the most-voted titles of all still differ (a cap at a
    million votes cost the open request 0.05 hit-rate on the dev viewers)."""
    return math.log10((votes or 0) + 1) / 6.0


def mean_fame(counted: dict[str, float]) -> float | None:
    total = sum(counted.values())
    return sum(_BIN_FAME.get(b, 0.0) * c for b, c in counted.items()) / total if total else None


def lean(habits: Habits | None, catalog: CatalogShares | None = None) -> float:
    """How much more the viewer follows popularity than a random pick from the catalog would
    (0..1, to ``LEAN_POWER``); 1 without a history."""
    viewer = mean_fame(habits.counts.get("fame", {})) if habits else None
    if viewer is None:
        return 1.0
    base = mean_fame(catalog.shares.get("fame", {})) if catalog is not None else None
    base = 0.0 if base is None else min(base, 0.99)
    return max(0.0, min(1.0, (viewer - base) / (1.0 - base))) ** LEAN_POWER


def genre_gated(terms: Sequence[float], own: Sequence[float], gate: float = GENRE_GATE) -> list[bool]:
    """Which of the taste search's titles may join a specific mood's candidates: a title's genre
    term (its genres · the request's genre prior) at least ``gate`` times the median of the
    mood's own candidates' terms (every title passes when the request has no genre leaning)."""
    if not len(own):
        return [True] * len(terms)
    bar = gate * float(sorted(own)[len(own) // 2])
    return [t >= bar for t in terms]


def constrained(filters: SearchFilters | None) -> set[str]:
    """Habit features a request's filters already decide."""
    if filters is None:
        return set()
    skip = set()
    if filters.type:
        skip.add("type")
    if filters.min_year is not None or filters.max_year is not None:
        skip.add("era")
    if filters.countries:
        skip.add("country")
    if filters.max_runtime is not None:
        skip.add("length")
    return skip


class TasteRanker:
    """Extra scores and why lines for one viewer's candidates; the catalog shares are read
    once, on first use (``catalog``: a provider, e.g. a scan of the store)."""

    def __init__(
        self,
        catalog: Callable[[], CatalogShares],
        habit: dict[str, float] | None = None,
        popularity: dict[str, float] | None = None,
        pool: int = POOL,
        taste_pool: int = TASTE_POOL,
        taste_pool_weight: float = TASTE_POOL_WEIGHT,
        genre_gate: float = GENRE_GATE,
    ) -> None:
        """``taste_pool``: titles a taste-led search may add to a specific mood's candidates
        (0: none, the mood's own candidates only)."""
        self._catalog_provider = catalog
        self._catalog: CatalogShares | None = None
        self.habit = dict(HABIT if habit is None else habit)
        self.popularity = dict(POPULARITY if popularity is None else popularity)
        self.pool = pool
        self.taste_pool = taste_pool
        self.taste_pool_weight = taste_pool_weight
        self.genre_gate = genre_gate
        self.feature_share = {kind: dict(shares) for kind, shares in FEATURE_SHARE.items()}

    @property
    def catalog(self) -> CatalogShares:
        if self._catalog is None:
            self._catalog = self._catalog_provider()
        return self._catalog

    def extra(
        self, titles: Iterable, viewer: ViewerProfile, kind: str, filters: SearchFilters | None = None
    ) -> dict[str, float]:
        """title id -> score added to the fused one (``titles``: ``StoredTitle``s)."""
        skip = constrained(filters)
        habit_w, pop_w = (
            self.habit.get(kind, 0.0),
            self.popularity.get(kind, 0.0) * lean(viewer.habits, self.catalog),
        )
        shares = self.feature_share.get(kind, {})
        out = {}
        for t in titles:
            score = pop_w * fame(t.imdb_votes)
            if viewer.habits is not None and habit_w:
                ratios = log_ratios(viewer.habits, self.catalog, title_bins(t), skip)
                score += habit_w * sum(shares.get(f, 1.0) * r for f, r in ratios.items())
            out[t.id] = score
        return out

    def why(self, title, viewer: ViewerProfile, filters: SearchFilters | None = None) -> str | None:
        """ "you mostly watch films from the 90s": the viewer's clear habits this title shares."""
        habits = viewer.habits
        if habits is None:
            return None
        skip = constrained(filters)
        bins_ = title_bins(title)
        ratios = log_ratios(habits, self.catalog, bins_, skip)

        def shared(feature: str) -> str | None:
            top = habits.top(feature)
            least = WHY_MIN_RATIO_COUNTRY if feature == "country" else WHY_MIN_RATIO
            if top is None or top[0] != bins_.get(feature) or ratios.get(feature, 0.0) < least:
                return None
            return top[0]

        kind, era, country = shared("type"), shared("era"), shared("country")
        famous = shared("fame")
        famous = famous if famous in ("<1k", "1k-10k", "100k-500k", "500k+") else None
        if not (kind or era or country or famous):
            return None
        noun = {"MOVIE": "films", "SHOW": "series"}.get(kind or "", "titles")
        adjective = (
            COUNTRY_ADJECTIVES.get(country, f"{country}") + " " if country and country != "none" else ""
        )
        when = (
            f" from the {_decade(era)}"
            if era and era != "before 1970"
            else " from before 1970"
            if era
            else ""
        )
        text = f"you mostly watch {adjective}{noun}{when}" if (kind or era or country) else ""
        if famous:
            note = "well known" if famous in ("100k-500k", "500k+") else "off the beaten track"
            text = (
                f"{text}; {note}, like most of what you watch"
                if text
                else f"{note}, like most of what you watch"
            )
        return text


def most_voted(titles: Sequence, seen: set[str], k: int) -> list:
    """The popularity baseline: the ``k`` most-voted titles not yet seen (ties by id)."""
    found = [t for t in titles if t.id not in seen]
    return sorted(found, key=lambda t: (-(t.imdb_votes or 0), t.id))[:k]
