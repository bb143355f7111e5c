"""Trakt's JSON export (Settings > Data > Export): ``watched-*``, ``ratings-*``, ``history-*``.

Each file is a JSON list; every entry carries its film or series with Trakt's ``ids``
(``ids.imdb`` is the ``tt`` id the catalog holds; the name and year are tried when it is
missing or unknown). Entries are numbered from 1 in the report, as lines are in a CSV.

- ``watched-movies.json``: ``{"plays", "last_watched_at", "movie": {...}}``;
- ``watched-shows.json``: ``{"plays", "show": {...}, "seasons": [{"number", "episodes": [...]}]}``,
  one viewing of the series per episode watched;
- ``ratings-movies.json`` / ``ratings-shows.json`` (and ``-episodes``, ``-seasons``):
  ``{"rated_at", "rating" (1-10), "type", "movie" | "show": {...}}``; an episode's or a
  season's rating counts for its series;
- ``history-*.json``: ``{"watched_at", "action", "type", "movie" | "episode" + "show"}``.
"""

from __future__ import annotations

import json
from pathlib import Path

from moodreel.profiles.history import History, HistoryProblem
from moodreel.profiles.imports.base import (
    EPISODE_MINUTES,
    ExportError,
    Viewing,
    imdb_id,
    problem,
    to_history,
    year_name,
)

EXPECTED = (
    "a JSON list of Trakt entries, each with a 'movie' or 'show' object and 'plays' (watched-*.json), "
    "'rating' (ratings-*.json) or 'watched_at' (history-*.json)"
)


def trakt_kind(data: object) -> str | None:
    """``"watched"``, ``"ratings"`` or ``"history"`` for a Trakt export's parsed JSON, else None."""
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return None
    first = data[0]
    if not ({"movie", "show"} & set(first)):
        return None
    if "plays" in first:
        return "watched"
    if "rating" in first:
        return "ratings"
    if "watched_at" in first:
        return "history"
    return None


def _item(entry: dict) -> tuple[dict | None, bool]:
    """(the film or series of an entry, whether the entry is one episode of it)."""
    if isinstance(entry.get("movie"), dict):
        return entry["movie"], False
    if isinstance(entry.get("show"), dict):
        return entry["show"], entry.get("type") in ("episode", "season") or "episode" in entry
    return None, False


def _episodes(entry: dict) -> int:
    seasons = entry.get("seasons")
    if not isinstance(seasons, list):
        return 0
    return sum(len(s.get("episodes") or []) for s in seasons if isinstance(s, dict))


def read_trakt(path: Path, text: str, user_id: str | None) -> History:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportError(f"{path} is not JSON (line {exc.lineno}: {exc.msg}); expected {EXPECTED}") from None
    kind = trakt_kind(data)
    if kind is None:
        raise ExportError(f"{path} is not a Trakt export: expected {EXPECTED}")
    if not user_id:
        raise ExportError(f"{path} is one Trakt member's export: say whose it is (--user)")
    viewings: list[Viewing] = []
    problems: list[HistoryProblem] = []
    for number, entry in enumerate(data, 1):
        item, episode = _item(entry) if isinstance(entry, dict) else (None, False)
        title = str(item.get("title") or "").strip() if item else ""
        if not title:
            problems.append(problem(number, "entry has no movie or show with a title"))
            continue
        ids = item.get("ids") if isinstance(item.get("ids"), dict) else {}
        imdb = imdb_id(ids.get("imdb"))
        rating, minutes = None, None
        if kind == "ratings":
            raw = entry.get("rating")
            if not isinstance(raw, (int, float)) or not 1 <= raw <= 10:
                problems.append(problem(number, f"rating {raw!r} is not a number from 1 to 10"))
                continue
            rating = float(raw) / 2
        if kind == "watched" and "show" in entry:
            count = _episodes(entry)
            minutes = count * EPISODE_MINUTES if count else None
        viewings.append(
            Viewing(
                line=number,
                user_id=user_id,
                name=year_name(title, item.get("year")),
                rating=rating,
                minutes=minutes,
                episode=episode or (kind == "history" and "show" in entry),
                imdb_id=imdb,
            )  # fmt: skip
        )
    return to_history(str(path), viewings, problems)
