"""Viewers: history rows -> matched titles -> a cached profile; 👍/👎; forgetting.

The one place that ties the history, the matcher, the vector store and the on-disk
profiles together. A profile is rebuilt only when the matched history or the feedback
changed since it was cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from moodreel.profiles.history import HistoryError, HistoryRow
from moodreel.profiles.matching import MatchResult, TitleMatcher
from moodreel.profiles.profile import (
    FEEDBACK_RATING,
    ViewerProfile,
    WatchedTitle,
    build_profile,
    completion,
    history_digest,
)
from moodreel.profiles.store import ProfileStore
from moodreel.records import StoredTitle
from moodreel.services import Services

_MATCH_FIELDS = ["id", "title", "type", "release_year"]


class Viewers:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.profiles = ProfileStore(services.settings.state_dir)
        self._matcher: TitleMatcher | None = None

    @property
    def matcher(self) -> TitleMatcher:
        if self._matcher is None:
            self._matcher = TitleMatcher(self.services.store.all_titles(_MATCH_FIELDS))
        return self._matcher

    def build(self, user_id: str, rows: Sequence[HistoryRow]) -> tuple[ViewerProfile, list[MatchResult]]:
        """The viewer's profile from their rows, and the names that could not be matched."""
        pid = self.profiles.pid(user_id)
        results = [self.matcher.match(r.content_name) for r in rows]
        unmatched = [m for m in results if not m.matched]
        latest: dict[str, HistoryRow] = {}
        for row, m in zip(rows, results):
            if m.id is not None:
                latest[m.id] = row  # the same title twice: the later row wins
        digest = history_digest([(i, r.rating, r.watch_time_minutes) for i, r in latest.items()])
        feedback = self.profiles.feedback(pid)
        cached = self.profiles.load(pid)
        if cached is not None and cached.source == digest and cached.feedback == feedback:
            return cached, unmatched
        titles = {t.id: t for t in self.services.store.get(list(latest))}
        watched = [
            _watched(titles[i], r.rating, completion(r.watch_time_minutes, titles[i].runtime, titles[i].type))
            for i, r in latest.items()
            if i in titles
        ]
        return self._rebuild(pid, watched, feedback, digest), unmatched

    def load(self, user_id: str) -> ViewerProfile:
        profile = self.profiles.load(self.profiles.pid(user_id))
        if profile is None:
            raise HistoryError(f"no profile kept for viewer {user_id!r}: give their watch history")
        return profile

    def vote(self, user_id: str, title_id: str, vote: int) -> ViewerProfile:
        """Record 👍 (+1) or 👎 (-1) for a title and return the updated profile."""
        if vote not in FEEDBACK_RATING:
            raise ValueError("vote must be +1 or -1")
        profile = self.load(user_id)
        feedback = {**self.profiles.feedback(profile.pid), title_id: vote}
        self.profiles.save_feedback(profile.pid, feedback)
        return self._rebuild(profile.pid, profile.watched, feedback, profile.source)

    def forget(self, user_id: str) -> list[Path]:
        return self.profiles.forget(user_id)

    def _rebuild(
        self, pid: str, watched: list[WatchedTitle], feedback: dict[str, int], source: str
    ) -> ViewerProfile:
        known = {w.id for w in watched}
        extra = [i for i in feedback if i not in known]
        rated = [_watched(t, FEEDBACK_RATING[feedback[t.id]], 1.0) for t in self.services.store.get(extra)]
        ids = [w.id for w in watched] + [r.id for r in rated]
        vectors = self.services.store.vectors(ids) if ids else {}
        profile = build_profile(pid, watched, feedback, vectors, source, rated)
        self.profiles.save(profile)
        return profile


def _watched(title: StoredTitle, rating: float, done: float) -> WatchedTitle:
    return WatchedTitle(
        id=title.id,
        title=title.title,
        type=title.type,
        genres=title.genres,
        emotions=title.emotions,
        rating=rating,
        completion=done,
    )
