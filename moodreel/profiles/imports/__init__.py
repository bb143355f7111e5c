"""Watch histories exported by other services, read into the ``History`` the CSV path gives.

``read_export(path, user_id, format="auto")`` tells the kind of file by its header (a CSV)
or its shape (JSON), never by trusting its name, and hands it to the reader of that kind:

==================  ==========================================================  ==========
format              file                                                        module
==================  ==========================================================  ==========
moodreel            ``user_id,content_name,rating,watch_time_minutes``          history
netflix             ``NetflixViewingHistory.csv`` (``Title,Date``)              netflix
netflix-activity    ``ViewingActivity.csv`` (``Profile Name,Start Time,…``)     netflix
letterboxd          ``ratings.csv`` / ``diary.csv`` / ``watched.csv``           letterboxd
imdb                IMDb's ratings export (``Const,Your Rating,…``)             imdb
trakt               ``watched-*.json`` / ``ratings-*.json`` / ``history-*.json``  trakt
==================  ==========================================================  ==========

A file of no known kind, or not of the kind asked for, is an ``ExportError`` that names
the file, what its first line holds and what each kind starts with.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from moodreel.profiles.history import COLUMNS as MOODREEL_COLUMNS
from moodreel.profiles.history import History, read_history
from moodreel.profiles.imports import imdb, letterboxd, netflix, trakt
from moodreel.profiles.imports.base import ExportError, csv_rows, read_text

Format = Literal["auto", "moodreel", "netflix", "netflix-activity", "letterboxd", "imdb", "trakt"]
FORMATS: tuple[str, ...] = get_args(Format)
# What each CSV kind's first line must hold (the first that fits wins: ViewingActivity
# also has a Title column, so it is tried before Netflix's two-column history).
HEADERS: dict[str, tuple[str, ...]] = {
    "moodreel": MOODREEL_COLUMNS,
    "netflix-activity": netflix.ACTIVITY_COLUMNS,
    "imdb": imdb.COLUMNS,
    "letterboxd": letterboxd.COLUMNS,
    "netflix": netflix.HISTORY_COLUMNS,
}

__all__ = ["FORMATS", "Export", "ExportError", "Format", "detect", "read_export"]


def _expected() -> str:
    kinds = [f"{k}: {','.join(cols)}" for k, cols in HEADERS.items()]
    return "; ".join(kinds) + f"; trakt: {trakt.EXPECTED}"


def detect(path: Path, text: str) -> str:
    """The kind of export ``text`` (the file at ``path``) is; ``ExportError`` if none."""
    start = text.lstrip()
    if start.startswith(("[", "{")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ExportError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
        if trakt.trakt_kind(data):
            return "trakt"
        raise ExportError(f"{path} is JSON but not a Trakt export: expected {trakt.EXPECTED}")
    header, _ = csv_rows(text.split("\n", 1)[0] + "\n")
    for kind, columns in HEADERS.items():
        if all(c in header for c in columns):
            return kind
    found = ", ".join(header) or "nothing"
    closest = max(HEADERS, key=lambda k: len(set(HEADERS[k]) & set(header)))
    if set(HEADERS[closest]) & set(header):  # most of one kind: say what it lacks
        missing = ", ".join(repr(c) for c in HEADERS[closest] if c not in header)
        raise ExportError(
            f"{path}: line 1 ({found}) has no column {missing} for a {closest} history "
            f"(it needs {', '.join(HEADERS[closest])}); the kinds moodreel reads: {_expected()}"
        )
    raise ExportError(
        f"{path}: line 1 ({found}) is not the header of an export moodreel reads; expected one of: {_expected()}"
    )


@dataclass(frozen=True)
class Export:
    """An export read: its kind (one of ``FORMATS`` but auto) and the history in it."""

    kind: str
    history: History


def read_export(
    path: Path | str, user_id: str | None = None, format: Format = "auto", name: str = ""
) -> Export:
    """The history in an export file; ``name``: its original name (an upload's path is a temporary one).

    ``user_id`` names the viewer of a one-viewer export (all but ``moodreel`` and
    ``netflix-activity``, whose rows name their viewers; there it keeps only that viewer's rows).
    """
    path = Path(path)
    label = Path(name) if name else path  # what messages call the file
    if format not in FORMATS:
        raise ExportError(f"unknown format {format!r}: one of {', '.join(FORMATS)}")
    text = read_text(path)
    kind = detect(label, text) if format == "auto" else format
    if format != "auto" and kind != "trakt" and kind in HEADERS:
        found = detect_or_none(label, text)
        if found != kind:
            header, _ = csv_rows(text.split("\n", 1)[0] + "\n")
            raise ExportError(
                f"{label} does not read as {kind}: line 1 should hold {', '.join(HEADERS[kind])}; "
                f"it holds {', '.join(header) or 'nothing'}" + (f" (it looks like {found})" if found else "")
            )
    readers: dict[str, Callable[[], History]] = {
        "moodreel": lambda: read_history(path).model_copy(update={"source": str(label)}),
        "netflix": lambda: netflix.read_viewing_history(label, text, user_id),
        "netflix-activity": lambda: netflix.read_viewing_activity(label, text, user_id),
        "letterboxd": lambda: letterboxd.read_letterboxd(label, text, user_id, name),
        "imdb": lambda: imdb.read_imdb(label, text, user_id),
        "trakt": lambda: trakt.read_trakt(label, text, user_id),
    }
    return Export(kind, readers[kind]())


def detect_or_none(path: Path, text: str) -> str | None:
    try:
        return detect(path, text)
    except ExportError:
        return None
