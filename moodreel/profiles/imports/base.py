"""What every export reader shares: reading the file, rolling viewings up, reporting skips.

Each reader turns its rows into ``Viewing`` records (one viewing, or one rating, of a film
or a series); ``to_history`` folds them into the ``History`` rows the CSV path produces,
one per viewer and title: the latest rating wins, watch minutes add up, episodes of a
series count as watching the series. A row that cannot be used becomes a
``HistoryProblem`` with its line; nothing is dropped without a line in the report.

Assumptions, stated once:

- watching alone, unrated, counts as a mild like: ``UNRATED = 4.0``, the lowest rating
  the profile counts as liked (``profile.LIKED_MIN``), below a real 5;
- an export without durations (Netflix's ``Title,Date``, Letterboxd, Trakt) counts a
  film as watched through and a series as one ``EPISODE_MINUTES`` per episode watched
  (the catalog's median episode runs 41 minutes, its median film 98).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from moodreel.profiles.history import History, HistoryError, HistoryProblem, HistoryRow

UNRATED = 4.0
EPISODE_MINUTES = 41.0
FILM_MINUTES = 600.0  # more than any film runs: completion is capped at 1, so "watched through"


class ExportError(HistoryError):
    """The file is not the export it was taken for (or of no kind known): says what was expected."""


@dataclass
class Viewing:
    """One usable row of an export: a film or series watched or rated by one viewer."""

    line: int
    user_id: str
    name: str  # the catalog name to match ("Title (Year)" where the export gives a year)
    rating: float | None = None  # 0..5, None when the export has no rating for it
    minutes: float | None = None  # None: no duration in the export
    episode: bool = False  # a viewing of one episode, rolled up into its series
    imdb_id: str | None = None


def read_text(path: Path) -> str:
    if not path.is_file():
        raise HistoryError(f"history file {path} does not exist")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExportError(f"{path} is not UTF-8 text: {exc}") from None


def csv_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """The stripped header and the rows (``None`` cells as empty strings)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    return header, rows


def require_columns(path: Path, header: list[str], columns: Iterable[str], kind: str) -> None:
    missing = [c for c in columns if c not in header]
    if missing:
        raise ExportError(
            f"{path} does not look like {kind}: line 1 has no column {', '.join(repr(c) for c in missing)} "
            f"(expected {', '.join(columns)}; found {', '.join(header) or 'nothing'})"
        )


_IMDB_ID = re.compile(r"^tt\d{5,10}$")


def imdb_id(value: object) -> str | None:
    """An IMDb ``tt`` id, or None for anything else."""
    return value if isinstance(value, str) and _IMDB_ID.match(value) else None


def year_name(name: str, year: object) -> str:
    """``"Heat (1995)"``: the matcher reads the year and picks between same-named titles."""
    text = str(year or "").strip()
    return f"{name} ({text})" if text.isdigit() and len(text) == 4 else name


def to_history(source: str, viewings: list[Viewing], problems: list[HistoryProblem]) -> History:
    """One history row per viewer and title; see the module's docstring for the rules."""
    rows: dict[tuple[str, str], HistoryRow] = {}
    for v in viewings:
        key = (v.user_id, v.imdb_id or v.name.casefold())
        old = rows.get(key)
        minutes = v.minutes
        if minutes is None:
            minutes = EPISODE_MINUTES if v.episode else FILM_MINUTES
        rating = v.rating if v.rating is not None else (old.rating if old else UNRATED)
        if old is not None:
            adds = v.episode or v.minutes is not None  # episodes and timed viewings add up
            total = old.watch_time_minutes + minutes if adds else max(old.watch_time_minutes, minutes)
            rows[key] = old.model_copy(update={"rating": rating, "watch_time_minutes": total})
            continue
        rows[key] = HistoryRow(
            line=v.line, user_id=v.user_id, content_name=v.name, rating=rating,
            watch_time_minutes=minutes, imdb_id=v.imdb_id,
        )  # fmt: skip
    return History(source=source, rows=sorted(rows.values(), key=lambda r: r.line), problems=problems)


def problem(line: int, message: str) -> HistoryProblem:
    return HistoryProblem(line=line, message=message)
