"""Netflix's own downloads: ``NetflixViewingHistory.csv`` and the archive's ``ViewingActivity.csv``.

``NetflixViewingHistory.csv`` (Account > Viewing activity > Download all) is ``Title,Date``
for one profile: every row one viewing, episodes written ``Show: Season 1: Episode 3``.
No durations, no ratings: see ``base`` for what that counts as.

``ViewingActivity.csv`` (the "request your personal information" archive, in
``CONTENT_INTERACTION/``) has ``Profile Name,Start Time,Duration,Attributes,Title,
Supplemental Video Type,Device Type,Bookmark,Latest Bookmark,Country``: one viewer per
profile, watch time from ``Duration`` (``HH:MM:SS``). Rows with a ``Supplemental Video
Type`` (trailers, previews, recaps) are not viewings: each is reported and skipped.
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
)

HISTORY_COLUMNS = ("Title", "Date")
ACTIVITY_COLUMNS = ("Profile Name", "Start Time", "Duration", "Title", "Supplemental Video Type")
# "Season 1", "Stranger Things 2", "Limited Series", "Volume 3", "Chapter One", "Part 2",
# "Episode 3", "Collection", "Book One": the parts of a title that name an episode's place.
_EPISODE_PART = re.compile(
    r"\b(?:season|series|volume|vol\.|chapter|part|episode|collection|book|miniseries)\b|\(episode \d+\)$",
    re.I,
)
_DURATION = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")


def series_of(title: str) -> tuple[str, bool]:
    """(the film or series a Netflix title names, whether it is an episode).

    ``"The Crown: Season 1: Wolferton Splash"`` -> ``("The Crown", True)``;
    ``"Mission: Impossible - Fallout"`` -> itself, a film (two parts, neither an episode's place).
    """
    parts = [p.strip() for p in title.split(": ")]
    for i, part in enumerate(parts[1:], 1):
        # the first part that names an episode's place ("Season 1"), or a season named after
        # its show ("Stranger Things 2"), ends the series' own name ("D.B. Cooper: Where Are You?!")
        if _EPISODE_PART.search(part) or part.startswith(parts[0]):
            return ": ".join(parts[:i]), True
    if len(parts) >= 3:
        return parts[0], True
    return title.strip(), False


def _no_viewer(path: Path) -> ExportError:
    return ExportError(
        f"{path} ({', '.join(HISTORY_COLUMNS)}) is one Netflix profile's history and names no viewer: "
        "say whose it is (--user, or the user id field)"
    )


def read_viewing_history(path: Path, text: str, user_id: str | None) -> History:
    header, rows = csv_rows(text)
    require_columns(path, header, HISTORY_COLUMNS, "Netflix's NetflixViewingHistory.csv")
    if not user_id:
        raise _no_viewer(path)
    viewings, problems = [], []
    for line, row in enumerate(rows, 2):
        title = row.get("Title", "")
        if not title:
            problems.append(problem(line, "Title is empty"))
            continue
        name, episode = series_of(title)
        viewings.append(Viewing(line=line, user_id=user_id, name=name, episode=episode))
    return to_history(str(path), viewings, problems)


def minutes_of(duration: str) -> float:
    found = _DURATION.match(duration)
    if not found:
        raise ValueError(f"Duration {duration!r} is not HH:MM:SS")
    hours, minutes, seconds = (int(g) for g in found.groups())
    return hours * 60 + minutes + seconds / 60


def read_viewing_activity(path: Path, text: str, user_id: str | None) -> History:
    """Every profile is a viewer (``user_id``: keep only the profile of that name)."""
    header, rows = csv_rows(text)
    require_columns(path, header, ACTIVITY_COLUMNS, "Netflix's ViewingActivity.csv")
    viewings, problems = [], []
    for line, row in enumerate(rows, 2):
        profile, title = row.get("Profile Name", ""), row.get("Title", "")
        if user_id and profile != user_id:
            continue  # another profile of the account: not asked for, not a problem
        extra = row.get("Supplemental Video Type", "")
        if extra:
            problems.append(problem(line, f"a {extra.lower().replace('_', ' ')}, not a viewing"))
            continue
        if not profile or not title:
            problems.append(problem(line, "Profile Name is empty" if not profile else "Title is empty"))
            continue
        try:
            minutes = minutes_of(row.get("Duration", ""))
        except ValueError as exc:
            problems.append(problem(line, str(exc)))
            continue
        name, episode = series_of(title)
        viewings.append(Viewing(line=line, user_id=profile, name=name, minutes=minutes, episode=episode))
    if user_id and not viewings and not problems:
        names = sorted({r.get("Profile Name", "") for r in rows} - {""})
        raise ExportError(f"{path} has no profile {user_id!r}; its profiles: {', '.join(names) or 'none'}")
    return to_history(str(path), viewings, problems)
