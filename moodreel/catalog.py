"""Read a catalog CSV into validated ``Title`` records.

A file-level problem (missing file or required column, empty file, bad encoding)
raises ``CatalogError`` before anything is written anywhere. A row-level problem is
reported with its line number and field; the row is skipped (or, for an optional
field, the value dropped) and counted, never lost silently.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from moodreel.errors import CatalogError
from moodreel.records import LIMITS, Title, utf8_length

REQUIRED_COLUMNS = ("id", "title", "description", "type", "genres")
_INT_FIELDS = ("release_year", "runtime", "imdb_votes")
_FLOAT_FIELDS = ("imdb_score",)
_POPULARITY_COLUMNS = ("tmdb_popularity", "popularity")
_IMDB_ID = re.compile(r"^tt\d{5,10}$")


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str
    message: str
    skipped: bool
    outcome: str = ""  # what happened, when neither "row skipped" nor "value ignored"

    def __str__(self) -> str:
        what = self.outcome or ("row skipped" if self.skipped else "value ignored")
        return f"line {self.line}, field '{self.field}': {self.message} ({what})"


@dataclass
class Catalog:
    path: Path
    titles: list[Title] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len({p.line for p in self.problems if p.skipped})

    def report(self, limit: int = 20) -> list[str]:
        """The first ``limit`` problems, one line each, then how many more there were."""
        lines = [f"{self.path}: {p}" for p in self.problems[:limit]]
        rest = len(self.problems) - limit
        if rest > 0:
            lines.append(f"{self.path}: … and {rest:,} more problems ({self.skipped:,} rows skipped in all)")
        return lines


def _parse_list(raw: str, lower: bool = True) -> tuple[str, ...]:
    """Genres and countries come as Python-style list literals: "['drama', 'crime']"."""
    text = raw.strip()
    if not text:
        return ()
    try:
        value = ast.literal_eval(text) if text.startswith("[") else None
    except (ValueError, SyntaxError):
        value = None
    if value is None and text.startswith("["):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected a list of strings like ['drama', 'crime'], got {raw[:60]!r}")
    return tuple((v.strip().lower() if lower else v.strip()) for v in value if v.strip())


def _parse_number(raw: str, kind: type) -> float | int | None:
    text = raw.strip()
    if not text:
        return None
    number = float(text)  # ValueError for junk
    if math.isnan(number):
        return None
    if kind is int:
        if not number.is_integer():
            raise ValueError(f"expected a whole number, got {text!r}")
        return int(number)
    return number


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(f"{path}: catalog file not found") from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read catalog file: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogError(
            f"{path}: line {line} is not valid UTF-8 (byte {exc.start}); save the catalog as UTF-8"
        ) from None


def _records(text: str) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """(first line, cells or the parse error) for each CSV record after the header.

    A record that fails to parse or spans several lines with the wrong number of cells is
    most likely an unterminated quote that swallowed the lines after it: it is yielded as
    bad, and reading starts again on the line after the one it began on, so every
    parseable row after it is still read."""
    lines = list(io.StringIO(text, newline=""))
    position = 0  # index into lines of the next record's first line
    header: list[str] | None = None
    while position < len(lines):
        reader = csv.reader(iter(lines[position:]))
        consumed = 0
        while True:
            start = position + consumed + 1  # 1-based line number
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, exc
                position = start  # the line after the bad record's first line
                break
            span = reader.line_num - consumed
            consumed = reader.line_num
            if header is None:
                header = [h.strip().lower() for h in cells]
            elif span > 1 and (problem := _swallowed(lines[start : start - 1 + span], cells, header)):
                yield start, csv.Error(problem)
                position = start
                break
            yield start, cells


def _swallowed(continuation: list[str], cells: list[str], header: list[str]) -> str:
    """Why a record spanning several lines looks like an unterminated quote ("" if it does not):
    it has the wrong number of cells, or one of its continuation lines is a whole row on its own
    (the header's number of cells, an id without spaces first, MOVIE or SHOW in the type column)."""
    width = len(header)
    kind = header.index("type") if "type" in header else None
    if len(cells) != width and any(c.strip() for c in cells):
        return (
            f"a quoted field runs over {len(continuation) + 1} lines and leaves {len(cells)} cells "
            f"where the header has {width} (unterminated quote?)"
        )
    for offset, line in enumerate(continuation, start=1):
        try:
            alone = next(csv.reader([line]), [])
        except csv.Error:
            continue
        # A line of a good synopsis can split into as many cells (its last line ends with the
        # rest of the row, type included); a swallowed row also starts with an id, not prose.
        if (
            len(alone) == width
            and kind is not None
            and alone[kind].strip().upper() in ("MOVIE", "SHOW")
            and alone[0]
            and not any(c.isspace() for c in alone[0])
        ):
            return f"a quoted field runs on into the next row ({offset} line(s) below; unterminated quote?)"
    return ""


def load_catalog(path: Path | str, progress: Callable[[int], None] | None = None) -> Catalog:
    """Validate the whole file; raise ``CatalogError`` for problems with the file itself.
    ``progress(n)`` is called as rows are read."""
    path = Path(path)
    text = _decode(path)
    if not text.strip():
        raise CatalogError(
            f"{path}: catalog file is empty (expected a header row with {', '.join(REQUIRED_COLUMNS)})"
        )
    records = _records(text)
    first = next(records, None)
    if first is None or isinstance(first[1], csv.Error):
        raise CatalogError(f"{path}: line 1: cannot parse header: {first[1] if first else 'no header'}")
    header = [h.strip().lower() for h in first[1]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogError(
            f"{path}: missing required column{'s' if len(missing) > 1 else ''} "
            + ", ".join(f"'{c}'" for c in missing)
            + f" (header has: {', '.join(header) or 'nothing'})"
        )
    catalog = Catalog(path=path)
    seen_ids: dict[str, int] = {}
    for start, cells in records:
        if progress:
            progress(1)
        if isinstance(cells, csv.Error):
            catalog.problems.append(RowProblem(start, "(row)", f"malformed CSV: {cells}", True))
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            catalog.problems.append(
                RowProblem(start, "(row)", f"has {len(cells)} cells, header has {len(header)}", True)
            )
            continue
        title = _row_to_title(dict(zip(header, cells)), start, seen_ids, catalog.problems)
        if title is not None:
            seen_ids[title.id] = start
            catalog.titles.append(title)
    return catalog


def _row_to_title(
    row: dict[str, str], line: int, seen_ids: dict[str, int], problems: list[RowProblem]
) -> Title | None:
    def skip(field_name: str, message: str) -> None:
        problems.append(RowProblem(line, field_name, message, True))

    title_id = row["id"].strip()
    if not title_id:
        skip("id", "empty id")
        return None
    if title_id in seen_ids:
        skip("id", f"duplicate id {title_id[:80]!r} (first seen on line {seen_ids[title_id]})")
        return None
    name = row["title"].strip()
    if not name:
        skip("title", "empty title")
        return None
    kind = row["type"].strip().upper()
    if kind not in ("MOVIE", "SHOW"):
        skip("type", f"expected MOVIE or SHOW, got {row['type'][:40]!r}")
        return None
    try:
        genres = _parse_list(row["genres"])
    except ValueError as exc:
        skip("genres", str(exc))
        return None
    description = row["description"].strip()
    if utf8_length(description) > LIMITS.description:
        problems.append(
            RowProblem(
                line,
                "description",
                f"is {utf8_length(description):,} bytes long; clipped to the store's {LIMITS.description:,}",
                False,
                "value clipped",
            )
        )
        description = description.encode("utf-8")[: LIMITS.description].decode("utf-8", errors="ignore")

    optional: dict[str, object] = {}
    for column, kind_ in [(c, int) for c in _INT_FIELDS] + [(c, float) for c in _FLOAT_FIELDS]:
        if column in row:
            try:
                optional[column] = _parse_number(row[column], kind_)
            except (ValueError, OverflowError):
                problems.append(RowProblem(line, column, f"not a number: {row[column][:40]!r}", False))
    for column in _POPULARITY_COLUMNS:
        if column in row and "popularity" not in optional:
            try:
                optional["popularity"] = _parse_number(row[column], float)
            except (ValueError, OverflowError):
                problems.append(RowProblem(line, column, f"not a number: {row[column][:40]!r}", False))
    if row.get("age_certification", "").strip():
        optional["age_certification"] = row["age_certification"].strip()
    imdb_id = row.get("imdb_id", "").strip()
    if imdb_id:
        if _IMDB_ID.match(imdb_id):
            optional["imdb_id"] = imdb_id
        else:
            problems.append(
                RowProblem(
                    line, "imdb_id", f"expected an IMDb id like tt0109830, got {imdb_id[:40]!r}", False
                )
            )
    if "production_countries" in row:
        try:
            optional["production_countries"] = _parse_list(row["production_countries"], lower=False)
        except ValueError as exc:
            problems.append(RowProblem(line, "production_countries", str(exc), False))
    required = {"id": title_id, "title": name, "description": description, "type": kind, "genres": genres}
    # The model holds the rules (LIMITS): a bad optional value is dropped and reported, a bad
    # required one skips the row.
    while True:
        try:
            return Title(**required, **optional)  # type: ignore[arg-type]
        except ValidationError as exc:
            errors = exc.errors()
            fields = [str(e["loc"][0]) if e["loc"] else "(row)" for e in errors]
            bad_required = [(f, e) for f, e in zip(fields, errors) if f not in optional]
            if bad_required:
                field_name, err = bad_required[0]
                skip(field_name, _message(err))
                return None
            for field_name, err in zip(fields, errors):
                if field_name in optional:
                    shown = _source_column(field_name, row)
                    problems.append(
                        RowProblem(line, shown, f"{_message(err)}: {str(row.get(shown, ''))[:40]!r}", False)
                    )
                    del optional[field_name]


def _source_column(field_name: str, row: dict[str, str]) -> str:
    if field_name == "popularity":
        return next((c for c in _POPULARITY_COLUMNS if c in row), field_name)
    return field_name


def _message(error: ErrorDetails) -> str:
    message = str(error["msg"])
    return message.removeprefix("Value error, ")
