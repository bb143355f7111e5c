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
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from moodreel.errors import CatalogError
from moodreel.records import Title

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

    def __str__(self) -> str:
        what = "row skipped" if self.skipped else "value ignored"
        return f"line {self.line}, field '{self.field}': {self.message} ({what})"


@dataclass
class Catalog:
    path: Path
    titles: list[Title] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len({p.line for p in self.problems if p.skipped})


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


def load_catalog(path: Path | str) -> Catalog:
    """Validate the whole file; raise ``CatalogError`` for problems with the file itself."""
    path = Path(path)
    text = _decode(path)
    if not text.strip():
        raise CatalogError(
            f"{path}: catalog file is empty (expected a header row with {', '.join(REQUIRED_COLUMNS)})"
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise CatalogError(f"{path}: line 1: cannot parse header: {exc}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogError(
            f"{path}: missing required column{'s' if len(missing) > 1 else ''} "
            + ", ".join(f"'{c}'" for c in missing)
            + f" (header has: {', '.join(header) or 'nothing'})"
        )
    catalog = Catalog(path=path)
    seen_ids: dict[str, int] = {}
    line_end = reader.line_num
    while True:
        start = line_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            catalog.problems.append(RowProblem(start, "(row)", f"malformed CSV: {exc}", True))
            break
        line_end = reader.line_num
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
        skip("id", f"duplicate id {title_id!r} (first seen on line {seen_ids[title_id]})")
        return None
    name = row["title"].strip()
    if not name:
        skip("title", "empty title")
        return None
    kind = row["type"].strip().upper()
    if kind not in ("MOVIE", "SHOW"):
        skip("type", f"expected MOVIE or SHOW, got {row['type']!r}")
        return None
    try:
        genres = _parse_list(row["genres"])
    except ValueError as exc:
        skip("genres", str(exc))
        return None

    optional: dict[str, object] = {}
    for column, kind_ in [(c, int) for c in _INT_FIELDS] + [(c, float) for c in _FLOAT_FIELDS]:
        if column in row:
            try:
                optional[column] = _parse_number(row[column], kind_)
            except ValueError:
                problems.append(RowProblem(line, column, f"not a number: {row[column][:40]!r}", False))
    for column in _POPULARITY_COLUMNS:
        if column in row and "popularity" not in optional:
            try:
                optional["popularity"] = _parse_number(row[column], float)
            except ValueError:
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
    try:
        return Title(
            id=title_id,
            title=name,
            description=row["description"].strip(),
            type=kind,  # type: ignore[arg-type]
            genres=genres,
            **optional,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        skip(str(err["loc"][0]) if err["loc"] else "(row)", err["msg"])
        return None
