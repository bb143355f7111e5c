"""Read a watch-history CSV (``user_id,content_name,rating,watch_time_minutes``).

A missing column is a file-level ``HistoryError`` naming the column and the file. A bad
row (missing user or title, non-numeric or out-of-range rating, negative minutes) is
reported with its line number and skipped, never guessed. Rows from the API come in as
dicts and go through the same checks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from moodreel.errors import MoodreelError

COLUMNS = ("user_id", "content_name", "rating", "watch_time_minutes")
MAX_RATING = 5.0


class HistoryError(MoodreelError):
    """The history cannot be used at all (missing file or column, unknown viewer)."""


class HistoryRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line: int
    user_id: str = Field(min_length=1)
    content_name: str = Field(min_length=1)
    rating: float = Field(ge=0, le=MAX_RATING)
    watch_time_minutes: float = Field(ge=0)
    imdb_id: str | None = Field(
        None, pattern=r"^tt\d{5,10}$", description="Matched by this id first (exports that carry it)."
    )


class HistoryProblem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message} (row skipped)"


class History(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    rows: list[HistoryRow] = []
    problems: list[HistoryProblem] = []

    def users(self) -> list[str]:
        return list(dict.fromkeys(r.user_id for r in self.rows))

    def for_user(self, user_id: str) -> list[HistoryRow]:
        rows = [r for r in self.rows if r.user_id == user_id]
        if not rows:
            raise HistoryError(f"no usable rows for viewer {user_id!r} in {self.source}")
        return rows


def _number(raw: object, name: str) -> float:
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise ValueError(f"{name} is missing")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a number") from None
    if value != value:  # NaN
        raise ValueError(f"{name} is not a number")
    return value


def check_row(record: Mapping[str, object], line: int) -> HistoryRow:
    """One row, or ``ValueError`` with a message fit for the report."""
    user = str(record.get("user_id") or "").strip()
    name = str(record.get("content_name") or "").strip()
    if not user:
        raise ValueError("user_id is missing")
    if not name:
        raise ValueError("content_name is missing")
    rating = _number(record.get("rating"), "rating")
    if not 0 <= rating <= MAX_RATING:
        raise ValueError(f"rating {rating:g} is outside 0..{MAX_RATING:g}")
    minutes = _number(record.get("watch_time_minutes"), "watch_time_minutes")
    if minutes < 0:
        raise ValueError(f"watch_time_minutes {minutes:g} is negative")
    return HistoryRow(line=line, user_id=user, content_name=name, rating=rating, watch_time_minutes=minutes)


def parse_history(records: Iterable[Mapping[str, object]], source: str, first_line: int = 2) -> History:
    history = History(source=source)
    for line, record in enumerate(records, first_line):
        try:
            history.rows.append(check_row(record, line))
        except ValueError as exc:
            history.problems.append(HistoryProblem(line=line, message=str(exc)))
    return history


def read_history(path: Path | str, name: str | None = None) -> History:
    """The history in the CSV file ``path``; messages call it ``name`` (default: the path), so
    an uploaded file is named by its own name, never by the server's folder."""
    path = Path(path)
    name = name or str(path)
    if not path.is_file():
        raise HistoryError(f"history file {name} does not exist")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HistoryError(f"history file {name} is not UTF-8: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    for column in COLUMNS:
        if column not in header:
            raise HistoryError(f"history file {name} has no column '{column}' (need {', '.join(COLUMNS)})")
    reader.fieldnames = header
    return parse_history(reader, name)
