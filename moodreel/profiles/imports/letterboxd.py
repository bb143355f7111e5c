"""Letterboxd's export (Settings > Data > Export): ``ratings.csv``, ``diary.csv``, ``watched.csv``.

All three start ``Date,Name,Year,Letterboxd URI``; ``ratings.csv`` adds ``Rating``
(0.5-5 in half stars), ``diary.csv`` adds ``Rating,Rewatch,Tags,Watched Date`` (a rating
may be empty) and ``reviews.csv`` the same with a ``Review``. Letterboxd lists films
only, named with their year, so a name matches its own remake only with the right year.
``watchlist.csv`` has the very header of ``watched.csv`` but lists films *not* seen yet:
it is refused by its name, never read as a history.
"""

from __future__ import annotations

from pathlib import Path

from moodreel.profiles.history import History
from moodreel.profiles.imports.base import (
    ExportError,
    Viewing,
    csv_rows,
    problem,
    require_columns,
    to_history,
    year_name,
)

COLUMNS = ("Date", "Name", "Year", "Letterboxd URI")
MIN_RATING, MAX_RATING = 0.5, 5.0


def read_letterboxd(path: Path, text: str, user_id: str | None, name: str = "") -> History:
    """``name``: the file's own name as uploaded (a watchlist is refused by it)."""
    if "watchlist" in (name or path.name).lower():
        raise ExportError(
            f"{name or path.name} is a Letterboxd watchlist (films not seen yet), not a history: "
            "give ratings.csv, diary.csv or watched.csv"
        )
    header, rows = csv_rows(text)
    require_columns(path, header, COLUMNS, "a Letterboxd export")
    if not user_id:
        raise ExportError(f"{path} is one Letterboxd member's export: say whose it is (--user)")
    rated = "Rating" in header
    viewings, problems = [], []
    for line, row in enumerate(rows, 2):
        film = row.get("Name", "")
        if not film:
            problems.append(problem(line, "Name is empty"))
            continue
        rating = None
        raw = row.get("Rating", "") if rated else ""
        if raw:
            try:
                rating = float(raw)
            except ValueError:
                problems.append(problem(line, f"Rating {raw!r} is not a number"))
                continue
            if not MIN_RATING <= rating <= MAX_RATING:
                problems.append(problem(line, f"Rating {rating:g} is outside {MIN_RATING:g}..{MAX_RATING:g}"))
                continue
        viewings.append(
            Viewing(line=line, user_id=user_id, name=year_name(film, row.get("Year")), rating=rating)
        )
    return to_history(str(path), viewings, problems)
