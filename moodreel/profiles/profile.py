"""A viewer's profile: genre preferences, favourite feelings, likes, type and taste vector.

Completion = watch minutes / runtime, capped at 1; for a show the runtime is one
episode, so completion = min(1, minutes / (runtime * SHOW_EPISODES)). Rows without a
runtime count as complete.

- genre preferences: each watched title adds ``(rating - 2.5) / 2.5 * completion``
  (-1..1) to each of its genres; positive genres, strongest first, are the favourites.
- favourite feelings: the liked titles' stored emotions, weighted by rating.
- liked: rating >= 4; disliked: rating <= 2. A 👍 counts as a 5, a 👎 as a 1, and
  overrides the history's rating for that title.
- taste vector: normalize(rating-weighted mean of liked title vectors
  - DISLIKE_WEIGHT * weighted mean of disliked ones), in the title-vector space;
  ``None`` when there is nothing liked or disliked.
- habits (``habits.py``): what the viewer watches apart from what it is about (films or
  series, era, country, length, how well known), as counts per bin; ``None`` without titles.
- viewer type, first rule that holds:
  1. binge watcher: at least half of the titles are shows, watched to a mean
     completion of 0.6 or more;
  2. casual viewer: fewer than 5 titles, or mean completion under 0.5;
  3. explorer: no genre holds a quarter of the positive genre weight;
  4. enthusiast: otherwise (focused tastes, finishes what they start).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from moodreel.profiles.habits import Habits, bins, learn_habits, watch_weight

SHOW_EPISODES = 8
LIKED_MIN = 4.0
DISLIKED_MAX = 2.0
DISLIKE_WEIGHT = 0.5
FEEDBACK_RATING = {1: 5.0, -1: 1.0}
TOP_EMOTIONS = 5
# Version 2 added the titles' year, countries, runtime and votes and the habits: a profile
# file of version 1 still loads (the fields default), and is rebuilt from the store when used.
PROFILE_VERSION = 2

ViewerType = Literal["enthusiast", "casual viewer", "binge watcher", "explorer"]


class WatchedTitle(BaseModel):
    """One matched history row (or a 👍/👎), with what the profile needs of the title."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    type: str
    genres: list[str] = []
    emotions: list[str] = []
    rating: float = Field(ge=0, le=5)
    completion: float = Field(ge=0, le=1)
    year: int | None = None
    countries: list[str] = []
    runtime: int | None = None
    votes: int | None = None

    def bins(self) -> dict[str, str | None]:
        return bins(self.type, self.year, self.countries, self.runtime, self.votes)


class TitleRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    rating: float


class ViewerProfile(BaseModel):
    """Kept on disk under the pseudonym ``pid``; the raw user id is never part of it."""

    model_config = ConfigDict(extra="forbid")

    pid: str
    version: int = 1
    source: str = Field("", description="Digest of the history this profile was built from.")
    watched: list[WatchedTitle] = []
    feedback: dict[str, int] = {}
    genres: dict[str, float] = {}
    emotions: list[str] = []
    liked: list[TitleRef] = []
    disliked: list[TitleRef] = []
    viewer_type: ViewerType = "casual viewer"
    taste: list[float] | None = None
    habits: Habits | None = None

    @property
    def seen_ids(self) -> set[str]:
        return {w.id for w in self.watched} | set(self.feedback)

    @property
    def top_genres(self) -> list[str]:
        return [g for g, v in self.genres.items() if v > 0][:3]

    def summary(self) -> str:
        """A short description for the pitch prompt: no id, no full history."""
        bits = []
        if self.top_genres:
            bits.append("enjoys " + ", ".join(self.top_genres))
        if self.emotions:
            bits.append("loves feeling " + ", ".join(self.emotions[:3]))
        if self.liked:
            bits.append("liked " + " and ".join(r.title for r in self.liked[:2]))
        if not bits:
            return ""
        article = "an" if self.viewer_type[0] in "aeiou" else "a"
        return f"{article} {self.viewer_type} who " + "; ".join(bits) + "."


def completion(minutes: float, runtime: int | None, type_: str) -> float:
    if not runtime or runtime <= 0:
        return 1.0
    full = runtime * (SHOW_EPISODES if type_ == "SHOW" else 1)
    return float(min(1.0, max(0.0, minutes / full)))


def history_digest(rows: Sequence[tuple[str, float, float]]) -> str:
    return hashlib.sha256(json.dumps(sorted(rows)).encode()).hexdigest()[:16]


def effective_titles(watched: Sequence[WatchedTitle], feedback: Mapping[str, int]) -> list[WatchedTitle]:
    """Entries with 👍/👎 overriding their ratings."""
    out = []
    for w in watched:
        vote = feedback.get(w.id)
        out.append(w.model_copy(update={"rating": FEEDBACK_RATING[vote], "completion": 1.0}) if vote else w)
    return out


def viewer_type(titles: Sequence[WatchedTitle], genres: Mapping[str, float]) -> ViewerType:
    if not titles:
        return "casual viewer"
    shows = [t for t in titles if t.type == "SHOW"]
    if len(shows) * 2 >= len(titles) and float(np.mean([t.completion for t in shows])) >= 0.6:
        return "binge watcher"
    if len(titles) < 5 or float(np.mean([t.completion for t in titles])) < 0.5:
        return "casual viewer"
    positive = [v for v in genres.values() if v > 0]
    if positive and max(positive) / sum(positive) < 0.25:
        return "explorer"
    return "enthusiast"


def build_profile(
    pid: str,
    watched: Sequence[WatchedTitle],
    feedback: Mapping[str, int],
    vectors: Mapping[str, np.ndarray],
    source: str = "",
    rated: Sequence[WatchedTitle] = (),
) -> ViewerProfile:
    """``watched``: the matched history; ``rated``: titles with a 👍/👎 but no history row."""
    titles = effective_titles(watched, feedback)
    seen = {t.id for t in titles}
    titles += [t for t in effective_titles(rated, feedback) if t.id not in seen]
    scores: Counter[str] = Counter()
    for t in titles:
        for g in t.genres:
            scores[g] += (t.rating - 2.5) / 2.5 * t.completion
    genres = {g: round(v, 4) for g, v in sorted(scores.items(), key=lambda p: (-p[1], p[0]))}
    liked = sorted(
        (t for t in titles if t.rating >= LIKED_MIN), key=lambda t: (-t.rating, -t.completion, t.id)
    )
    disliked = sorted((t for t in titles if t.rating <= DISLIKED_MAX), key=lambda t: (t.rating, t.id))
    feelings: Counter[str] = Counter()
    for t in liked:
        for e in t.emotions:
            feelings[e] += t.rating
    emotions = [e for e, _ in sorted(feelings.items(), key=lambda p: (-p[1], p[0]))[:TOP_EMOTIONS]]
    habits = learn_habits((t.bins(), watch_weight(t.rating, feedback.get(t.id))) for t in titles)
    return ViewerProfile(
        pid=pid,
        version=PROFILE_VERSION,
        source=source,
        watched=list(watched),
        feedback=dict(feedback),
        genres=genres,
        emotions=emotions,
        liked=[TitleRef(id=t.id, title=t.title, rating=t.rating) for t in liked],
        disliked=[TitleRef(id=t.id, title=t.title, rating=t.rating) for t in disliked],
        viewer_type=viewer_type(titles, genres),
        taste=taste_vector(liked, disliked, vectors),
        habits=habits,
    )


def _weighted_mean(titles: Sequence[WatchedTitle], weights: Sequence[float], vectors) -> np.ndarray | None:
    pairs = [(vectors[t.id], w) for t, w in zip(titles, weights) if t.id in vectors and w > 0]
    if not pairs:
        return None
    total = sum(w for _, w in pairs)
    return np.sum([v * w for v, w in pairs], axis=0) / total


def taste_vector(
    liked: Sequence[WatchedTitle], disliked: Sequence[WatchedTitle], vectors: Mapping[str, np.ndarray]
) -> list[float] | None:
    plus = _weighted_mean(liked, [t.rating for t in liked], vectors)
    minus = _weighted_mean(disliked, [5.0 - t.rating for t in disliked], vectors)
    if plus is None and minus is None:
        return None
    taste = (plus if plus is not None else 0.0) - DISLIKE_WEIGHT * (minus if minus is not None else 0.0)
    norm = float(np.linalg.norm(taste))
    if norm == 0:
        return None
    return [round(float(x), 6) for x in np.asarray(taste) / norm]
