"""Viewers: history rows -> matched titles -> a cached profile; 👍/👎; "Not interested"; forgetting.

The one place that ties the history, the matcher, the vector store and the on-disk
profiles together. A profile is rebuilt only when the matched history or the feedback
changed since it was cached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from moodreel.profiles.history import HistoryError, HistoryRow
from moodreel.profiles.matching import MatchResult, TitleMatcher
from moodreel.profiles.profile import (
    FEEDBACK_RATING,
    PROFILE_VERSION,
    ViewerProfile,
    WatchedTitle,
    build_profile,
    completion,
    history_digest,
)
from moodreel.profiles.store import ProfileStore
from moodreel.records import StoredTitle
from moodreel.store import MilvusStore

_MATCH_FIELDS = ["id", "title", "type", "release_year", "imdb_id"]


class Viewers:
    def __init__(self, store: MilvusStore, profiles: ProfileStore) -> None:
        self.store = store
        self.profiles = profiles
        self._matcher: TitleMatcher | None = None
        self._by_imdb: dict[str, StoredTitle] = {}

    @property
    def matcher(self) -> TitleMatcher:
        if self._matcher is None:
            titles = self.store.all_titles(_MATCH_FIELDS)
            self._by_imdb = {t.imdb_id: t for t in titles if t.imdb_id}
            self._matcher = TitleMatcher(titles)
        return self._matcher

    def match(self, row: HistoryRow) -> MatchResult:
        """A history row's catalog title: by its IMDb id when it has one the catalog holds, else by name."""
        matcher = self.matcher
        found = self._by_imdb.get(row.imdb_id) if row.imdb_id else None
        if found is not None:
            return MatchResult(
                name=row.content_name, status="exact", id=found.id, title=found.title, score=1.0
            )
        result = matcher.match(row.content_name)
        if row.imdb_id and result.id is None:
            return result.model_copy(
                update={"reason": f"{row.imdb_id} is not in the catalog, nor is the name"}
            )
        return result

    def build(self, user_id: str, rows: Sequence[HistoryRow]) -> tuple[ViewerProfile, list[MatchResult]]:
        """The viewer's profile from their rows, and the names that could not be matched."""
        return self.build_many({user_id: rows})[user_id]

    def build_many(
        self, histories: Mapping[str, Sequence[HistoryRow]]
    ) -> dict[str, tuple[ViewerProfile, list[MatchResult]]]:
        """``build`` for many viewers, with one store read for all their titles and vectors."""
        matches = {user: [self.match(r) for r in rows] for user, rows in histories.items()}
        latest_by_user: dict[str, dict[str, HistoryRow]] = {}
        for user, rows in histories.items():
            latest = latest_by_user[user] = {}
            for row, m in zip(rows, matches[user]):
                if m.id is not None:
                    latest[m.id] = row  # the same title twice: the later row wins
        unmatched = {user: [m for m in found if not m.matched] for user, found in matches.items()}
        todo: dict[str, tuple[str, str, dict[str, int]]] = {}
        out: dict[str, tuple[ViewerProfile, list[MatchResult]]] = {}
        for user, latest in latest_by_user.items():
            pid = self.profiles.pid(user)
            digest = history_digest([(i, r.rating, r.watch_time_minutes) for i, r in latest.items()])
            feedback = self.profiles.feedback(pid)
            cached = self.profiles.load(pid)
            if (
                cached is not None
                and cached.source == digest
                and cached.feedback == feedback
                and cached.version >= PROFILE_VERSION
            ):
                out[user] = (cached, unmatched[user])
            else:
                todo[user] = (pid, digest, feedback)
        ids = sorted(
            {i for user in todo for i in latest_by_user[user]} | {i for *_, fb in todo.values() for i in fb}
        )
        titles = {t.id: t for t in self.store.get(ids)} if ids else {}
        vectors = self.store.vectors(ids) if ids else {}
        for user, (pid, digest, feedback) in todo.items():
            watched = [
                _watched(
                    titles[i], r.rating, completion(r.watch_time_minutes, titles[i].runtime, titles[i].type)
                )
                for i, r in latest_by_user[user].items()
                if i in titles
            ]
            profile = self._rebuild(pid, watched, feedback, digest, titles, vectors)
            out[user] = (profile, unmatched[user])
        return {user: out[user] for user in histories}

    def load(self, user_id: str) -> ViewerProfile:
        profile = self.profiles.load(self.profiles.pid(user_id))
        if profile is None:
            raise HistoryError(f"no profile kept for viewer {user_id!r}: give their watch history")
        return profile

    def vote(self, user_id: str, title_id: str, vote: int) -> ViewerProfile:
        """Record 👍 (+1) or 👎 (-1) for a title, or undo the vote (0), and return the updated profile."""
        if vote not in FEEDBACK_RATING and vote != 0:
            raise HistoryError(f"a vote is +1 (👍), -1 (👎) or 0 (undo), not {vote!r}")
        profile = self.load(user_id)
        feedback = {**self.profiles.feedback(profile.pid), title_id: vote}
        if vote == 0:
            del feedback[title_id]
        self.profiles.save_feedback(profile.pid, feedback)
        return self._rebuild(profile.pid, profile.watched, feedback, profile.source)

    def hidden(self, pid: str) -> set[str]:
        """Titles the viewer (by pseudonym) marked "Not interested": never shown to them again."""
        return set(self.profiles.hidden(pid))

    def hide(self, user_id: str, title_id: str, hide: bool = True) -> list[str]:
        """Mark a title "Not interested" for a kept viewer (``hide=False`` undoes it); the ids now hidden."""
        pid = self.load(user_id).pid
        ids = [i for i in self.profiles.hidden(pid) if i != title_id] + ([title_id] if hide else [])
        self.profiles.save_hidden(pid, ids)
        return ids

    def saved(self, user_id: str) -> dict:
        """A kept viewer's saved searches, as stored (the application validates them)."""
        return self.profiles.saved(self.load(user_id).pid)

    def save_saved(self, user_id: str, data: dict) -> None:
        self.profiles.save_saved(self.load(user_id).pid, data)

    def forget(self, user_id: str) -> list[Path]:
        return self.profiles.forget(user_id)

    def _rebuild(
        self,
        pid: str,
        watched: list[WatchedTitle],
        feedback: dict[str, int],
        source: str,
        titles: Mapping[str, StoredTitle] | None = None,
        vectors: Mapping[str, np.ndarray] | None = None,
    ) -> ViewerProfile:
        """The profile from watched titles and feedback; ``titles``/``vectors`` already read from
        the store are used, anything missing from them is read now."""
        titles, vectors = dict(titles or {}), dict(vectors or {})
        watched = self._refreshed(watched, titles)
        known = {w.id for w in watched}
        extra = [i for i in feedback if i not in known]
        missing = [i for i in extra if i not in titles]
        titles.update({t.id: t for t in self.store.get(missing)} if missing else {})
        rated = [_watched(titles[i], FEEDBACK_RATING[feedback[i]], 1.0) for i in extra if i in titles]
        ids = [w.id for w in watched] + [r.id for r in rated]
        unread = [i for i in ids if i not in vectors]
        vectors.update(self.store.vectors(unread) if unread else {})
        profile = build_profile(pid, watched, feedback, vectors, source, rated)
        self.profiles.save(profile)
        return profile

    def _refreshed(self, watched: list[WatchedTitle], titles: dict[str, StoredTitle]) -> list[WatchedTitle]:
        """Entries of an older profile file (no year, countries, runtime, votes) completed from
        the store; ``titles`` gains what was read."""
        old = [w.id for w in watched if w.year is None and w.votes is None and w.id not in titles]
        titles.update({t.id: t for t in self.store.get(old)} if old else {})
        out = []
        for w in watched:
            t = titles.get(w.id)
            if w.year is None and w.votes is None and t is not None:
                w = w.model_copy(update=_facts(t))
            out.append(w)
        return out


def _facts(title: StoredTitle) -> dict:
    return {
        "year": title.release_year,
        "countries": list(title.production_countries),
        "runtime": title.runtime,
        "votes": title.imdb_votes,
    }


def _watched(title: StoredTitle, rating: float, done: float) -> WatchedTitle:
    return WatchedTitle(
        id=title.id,
        title=title.title,
        type=title.type,
        genres=title.genres,
        emotions=title.emotions,
        rating=rating,
        completion=done,
        **_facts(title),
    )
