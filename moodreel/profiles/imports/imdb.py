"""IMDb's ratings export (Your Ratings > Export): matched by the ``tt`` id the catalog holds.

Columns: ``Const,Your Rating,Date Rated,Title,Original Title,URL,Title Type,IMDb Rating,
Runtime (mins),Year,Genres,Num Votes,Release Date,Directors`` (older exports lack
``Original Title``). ``Your Rating`` is 1-10 and becomes half of it (0.5-5). A title not
found by its id is tried by name and year. An episode's rating is reported and skipped:
the export gives the episode's own id, never its series'.
"""

from __future__ import annotations

import re
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

COLUMNS = ("Const", "Your Rating", "Date Rated", "Title", "Title Type", "Year")
_ID = re.compile(r"^tt\d{5,10}$")


def read_imdb(path: Path, text: str, user_id: str | None) -> History:
    header, rows = csv_rows(text)
    require_columns(path, header, COLUMNS, "IMDb's ratings export")
    if not user_id:
        raise ExportError(f"{path} is one IMDb member's ratings: say whose they are (--user)")
    viewings, problems = [], []
    for line, row in enumerate(rows, 2):
        const, title, kind = row.get("Const", ""), row.get("Title", ""), row.get("Title Type", "")
        if not _ID.match(const):
            problems.append(problem(line, f"Const {const!r} is not an IMDb id (tt followed by digits)"))
            continue
        if "episode" in kind.lower():
            problems.append(
                problem(line, f"{title!r} is a rating of one episode; IMDb does not say of which series")
            )
            continue
        raw = row.get("Your Rating", "")
        try:
            rating = float(raw)
        except ValueError:
            problems.append(problem(line, f"Your Rating {raw!r} is not a number"))
            continue
        if not 1 <= rating <= 10:
            problems.append(problem(line, f"Your Rating {rating:g} is outside 1..10"))
            continue
        name = year_name(title or const, row.get("Year"))
        viewings.append(Viewing(line=line, user_id=user_id, name=name, rating=rating / 2, imdb_id=const))
    return to_history(str(path), viewings, problems)
