"""Relevance measures for mood -> picks: does a top-k list fit what the viewer asked for?

The mood set (bench/relevance_moods.jsonl) holds one case per line::

    {"mood": "...", "kind": "topic", "ok": ["crime", ...], "avoid": ["family"],
     "topic": "heist|con artist|...", "expect": {"type": "MOVIE", "max_runtime": 90},
     "split": "dev", "writer": "texter"}

``split`` ("dev" or "test") is fixed by a seeded hash of the sentence (``split_of``): tune
on dev, report test. ``writer`` names the style the sentence was written in (optional).

and a case is judged on each pick of a method's top k:

- genre fit: the pick has at least one "ok" genre and no "avoid" genre;
- topic fit: the case's regex (case-insensitive) matches the pick's title + synopsis
  (only for cases that name a topic);
- expect fit: the pick meets every hard expectation the sentence states plainly
  (type, max_runtime, min_year/max_year, countries, family_safe, max_certification; only
  for cases with one);
- junk: the pick has no genres, or fewer than 100 (or unknown) IMDb votes.

Each case scores the share of its top k that fits; the means are taken over cases (each
case weighs the same), overall and per kind. Pure functions: nothing here loads a model
or a store, so methods are scored from whatever lists of result dicts they produce.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

KINDS: tuple[str, ...] = (
    "feeling",
    "felt_vs_wanted",
    "negation",
    "topic",
    "audience",
    "format",
    "era",
    "language",
    "genre",
)
# The genre vocabulary of data/netflix_titles.csv (TMDB-style, lower case).
GENRES: frozenset[str] = frozenset(
    {
        "action",
        "animation",
        "comedy",
        "crime",
        "documentation",
        "drama",
        "european",
        "family",
        "fantasy",
        "history",
        "horror",
        "music",
        "reality",
        "romance",
        "scifi",
        "sport",
        "thriller",
        "war",
        "western",
    }
)
TITLE_TYPES: frozenset[str] = frozenset({"MOVIE", "SHOW"})
UNSAFE_CERTIFICATIONS: frozenset[str] = frozenset({"R", "NC-17", "TV-MA"})
MIN_VOTES = 100
EXPECT_KEYS: tuple[str, ...] = (
    "type", "max_runtime", "min_year", "max_year", "countries", "family_safe", "max_certification",
)  # fmt: skip
CASE_FIELDS: frozenset[str] = frozenset({"mood", "kind", "ok", "avoid", "topic", "expect", "split", "writer"})
SPLITS: tuple[str, ...] = ("dev", "test")
SPLIT_SEED = "moodreel-split-v1:"
# Certifications by how much they allow (US film and TV): "max_certification": "PG" accepts
# ranks 0-1. A pick without a certification passes (45% of the catalog has none).
CERTIFICATION_RANK: Mapping[str, int] = MappingProxyType(
    {"G": 0, "TV-Y": 0, "TV-Y7": 0, "TV-G": 0, "PG": 1, "TV-PG": 1, "PG-13": 2, "TV-14": 2,
     "R": 3, "TV-MA": 3, "NC-17": 4}
)  # fmt: skip
MEASURES: tuple[str, ...] = ("genre_fit", "topic_fit", "expect_fit", "junk")


@dataclass(frozen=True)
class MoodCase:
    """One sentence of the mood set and what a person asking it would accept."""

    mood: str
    kind: str
    ok: tuple[str, ...]
    avoid: tuple[str, ...] = ()
    topic: re.Pattern[str] | None = None
    expect: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    split: str = "dev"
    writer: str = ""


def split_of(mood: str) -> str:
    """The fixed split of a sentence: a seeded hash, so no one chooses which cases are held out."""
    digest = hashlib.sha256((SPLIT_SEED + mood.strip().lower()).encode()).hexdigest()
    return SPLITS[int(digest, 16) % 2]


# ---------------------------------------------------------------- loading


def _fail(where: str, name: str, problem: str) -> SystemExit:
    return SystemExit(f"{where}: field {name!r}: {problem}")


def _genre_list(value: Any, where: str, name: str, *, required: bool) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
        raise _fail(where, name, "must be a list of genre names")
    if required and not value:
        raise _fail(where, name, "must name at least one genre")
    genres = tuple(g.strip().lower() for g in value)
    unknown = sorted(set(genres) - GENRES)
    if unknown:
        raise _fail(where, name, f"unknown genre(s) {unknown}; known: {sorted(GENRES)}")
    return genres


def _int_field(expect: Mapping[str, Any], key: str, where: str) -> None:
    value = expect[key]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _fail(where, f"expect.{key}", "must be a positive integer")


def _check_expect(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, dict):
        raise _fail(where, "expect", "must be an object")
    unknown = sorted(set(value) - set(EXPECT_KEYS))
    if unknown:
        raise _fail(where, "expect", f"unknown key(s) {unknown}; known: {list(EXPECT_KEYS)}")
    expect = dict(value)
    if "type" in expect:
        if not isinstance(expect["type"], str) or expect["type"].upper() not in TITLE_TYPES:
            raise _fail(where, "expect.type", f"must be one of {sorted(TITLE_TYPES)}")
        expect["type"] = expect["type"].upper()
    for key in ("max_runtime", "min_year", "max_year"):
        if key in expect:
            _int_field(expect, key, where)
    if "min_year" in expect and "max_year" in expect and expect["min_year"] > expect["max_year"]:
        raise _fail(where, "expect.min_year", "is after expect.max_year")
    if "countries" in expect:
        countries = expect["countries"]
        if (
            not isinstance(countries, list)
            or not countries
            or not all(isinstance(c, str) and re.fullmatch(r"[A-Za-z]{2}", c) for c in countries)
        ):
            raise _fail(where, "expect.countries", "must be a non-empty list of ISO-2 country codes")
        expect["countries"] = tuple(c.upper() for c in countries)
    if "family_safe" in expect and expect["family_safe"] is not True:
        raise _fail(where, "expect.family_safe", "must be true when present")
    if "max_certification" in expect and expect["max_certification"] not in CERTIFICATION_RANK:
        raise _fail(where, "expect.max_certification", f"must be one of {sorted(CERTIFICATION_RANK)}")
    return MappingProxyType(expect)


def parse_case(data: Any, where: str) -> MoodCase:
    """Validate one decoded line; ``where`` ("file:line") prefixes every error."""
    if not isinstance(data, dict):
        raise SystemExit(f"{where}: a case must be a JSON object")
    unknown = sorted(set(data) - CASE_FIELDS)
    if unknown:
        raise _fail(where, unknown[0], f"unknown field; known: {sorted(CASE_FIELDS)}")
    mood = data.get("mood")
    if not isinstance(mood, str) or not mood.strip():
        raise _fail(where, "mood", "must be a non-empty string")
    kind = data.get("kind")
    if kind not in KINDS:
        raise _fail(where, "kind", f"must be one of {list(KINDS)}, not {kind!r}")
    ok = _genre_list(data.get("ok"), where, "ok", required=True)
    avoid = _genre_list(data.get("avoid"), where, "avoid", required=False)
    both = sorted(set(ok) & set(avoid))
    if both:
        raise _fail(where, "avoid", f"genre(s) {both} are also in 'ok'")
    topic = data.get("topic")
    pattern: re.Pattern[str] | None = None
    if topic is not None:
        if not isinstance(topic, str) or not topic.strip():
            raise _fail(where, "topic", "must be a non-empty regex string")
        try:
            pattern = re.compile(topic, re.IGNORECASE)
        except re.error as exc:
            raise _fail(where, "topic", f"does not compile: {exc}") from None
    expect = _check_expect(data.get("expect"), where)
    split = data.get("split", split_of(mood))
    if split != split_of(mood):
        raise _fail(
            where, "split", f"is {split!r} but the seeded hash puts this sentence in {split_of(mood)!r}"
        )
    writer = data.get("writer", "")
    if not isinstance(writer, str):
        raise _fail(where, "writer", "must be a string")
    return MoodCase(
        mood=mood, kind=kind, ok=ok, avoid=avoid, topic=pattern, expect=expect, split=split, writer=writer
    )


def load_cases(path: str | Path, split: str = "all") -> list[MoodCase]:
    """Read a mood set (JSON lines; blank lines skipped), only the cases of ``split`` ("dev",
    "test" or "all"). A bad line exits naming file:line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(f"{path}: cannot read the mood set: {exc.strerror or exc}") from None
    cases: list[MoodCase] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{where}: not valid JSON: {exc.msg} (column {exc.colno})") from None
        cases.append(parse_case(data, where))
    if not cases:
        raise SystemExit(f"{path}: the mood set has no cases")
    if split != "all":
        cases = [c for c in cases if c.split == split]
    return cases


# ---------------------------------------------------------------- record access


def _get(record: Any, *names: str) -> Any:
    """The first of ``names`` that the record (a mapping or an object) holds and is not None."""
    for name in names:
        value = record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)
        if value is not None:
            return value
    return None


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _genre_set(genres: Any) -> set[str]:
    """Genres as a set of lower-case names, from a list or a string such as "['drama', 'crime']"."""
    if genres is None:
        return set()
    if isinstance(genres, str):
        return set(re.findall(r"[a-z]+", genres.lower()))
    if isinstance(genres, Iterable):
        return {str(g).strip().lower() for g in genres if str(g).strip()}
    return set()


def _country_set(countries: Any) -> set[str]:
    if countries is None:
        return set()
    if isinstance(countries, str):
        return set(re.findall(r"\b[A-Z]{2}\b", countries.upper()))
    if isinstance(countries, Iterable):
        return {str(c).strip().upper() for c in countries}
    return set()


# ---------------------------------------------------------------- per-pick judgements


def genre_fit(genres: Iterable[str] | str | None, case: MoodCase) -> bool:
    """At least one of the case's ok genres and none of its avoid genres (case-insensitive)."""
    have = _genre_set(genres)
    return bool(have & set(case.ok)) and not have & set(case.avoid)


def topic_fit(title: str | None, description: str | None, case: MoodCase) -> bool | None:
    """Whether title + synopsis match the case's topic regex; None when the case names no topic."""
    if case.topic is None:
        return None
    return case.topic.search(f"{title or ''} {description or ''}") is not None


def expect_fit(record: Any, case: MoodCase) -> bool | None:
    """Whether the record meets every hard expectation of the case; None when it has none.

    ``record`` is a mapping or an object with type, runtime, year (or release_year),
    production_countries and age_certification. A value the record does not know fails
    the expectation that needs it, except family_safe, which only rejects R, NC-17, TV-MA.
    """
    expect = case.expect
    if not expect:
        return None
    if "type" in expect and str(_get(record, "type") or "").upper() != expect["type"]:
        return False
    if "max_runtime" in expect:
        runtime = _number(_get(record, "runtime"))
        if runtime is None or runtime > expect["max_runtime"]:
            return False
    if "min_year" in expect or "max_year" in expect:
        year = _number(_get(record, "year", "release_year"))
        if year is None:
            return False
        if "min_year" in expect and year < expect["min_year"]:
            return False
        if "max_year" in expect and year > expect["max_year"]:
            return False
    if "countries" in expect and not _country_set(_get(record, "production_countries")) & set(
        expect["countries"]
    ):
        return False
    if expect.get("family_safe"):
        certification = str(_get(record, "age_certification") or "").strip().upper()
        if certification in UNSAFE_CERTIFICATIONS:
            return False
    if "max_certification" in expect:
        certification = str(_get(record, "age_certification") or "").strip().upper()
        rank = CERTIFICATION_RANK.get(certification)
        if rank is not None and rank > CERTIFICATION_RANK[expect["max_certification"]]:
            return False
    return True


def is_junk(genres: Iterable[str] | str | None, imdb_votes: Any) -> bool:
    """No genres, or fewer than MIN_VOTES IMDb votes (unknown votes count as too few)."""
    votes = _number(imdb_votes)
    return not _genre_set(genres) or votes is None or votes < MIN_VOTES


# ---------------------------------------------------------------- scoring


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def _summary(per_case: Sequence[dict[str, float | None]]) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(per_case)}
    for measure in MEASURES:
        values = [c[measure] for c in per_case if c[measure] is not None]
        out[measure] = _mean(values)  # type: ignore[arg-type]
    out["n_topic"] = sum(c["topic_fit"] is not None for c in per_case)
    out["n_expect"] = sum(c["expect_fit"] is not None for c in per_case)
    return out


def score_case(case: MoodCase, results: Sequence[Mapping[str, Any]], k: int = 10) -> dict[str, float | None]:
    """Shares of the top k that fit: genre_fit, topic_fit (None without topic), expect_fit
    (None without expect), junk. An empty list fits nothing (0.0) and holds no junk."""
    top = list(results[:k])
    topic = [topic_fit(r.get("title"), r.get("description"), case) for r in top]
    expect = [expect_fit(r, case) for r in top]
    return {
        "genre_fit": _share([genre_fit(r.get("genres"), case) for r in top]),
        "topic_fit": None if case.topic is None else _share([bool(t) for t in topic]),
        "expect_fit": None if not case.expect else _share([bool(e) for e in expect]),
        "junk": _share([is_junk(r.get("genres"), r.get("imdb_votes")) for r in top]),
    }


def score_top_k(
    cases: Sequence[MoodCase], results_per_case: Sequence[Sequence[Mapping[str, Any]]], k: int = 10
) -> dict[str, Any]:
    """Score one method: ``results_per_case[i]`` is its ranked picks (dicts with title,
    description, genres, imdb_votes, type, runtime, year, production_countries,
    age_certification) for ``cases[i]``.

    Returns {"k", "n_cases", "n_empty", "overall": {...}, "per_kind": {kind: {...}}} where
    each summary holds genre_fit, topic_fit (mean over cases with a topic), expect_fit (over
    cases with expect), junk (all means of per-case shares; None where no case applies) and
    the counts n, n_topic, n_expect.
    """
    if len(cases) != len(results_per_case):
        raise ValueError(f"{len(cases)} cases but {len(results_per_case)} result lists")
    if k < 1:
        raise ValueError("k must be at least 1")
    per_case = [score_case(case, results, k) for case, results in zip(cases, results_per_case)]
    per_kind: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        rows = [score for case, score in zip(cases, per_case) if case.kind == kind]
        if rows:
            per_kind[kind] = _summary(rows)
    return {
        "k": k,
        "n_cases": len(cases),
        "n_empty": sum(not results for results in results_per_case),
        "overall": _summary(per_case),
        "per_kind": per_kind,
    }


def _cell(value: Any, *, percent: bool = False) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.1f}%" if percent else f"{value:.2f}"


def format_table(rows: Mapping[str, Mapping[str, Any]]) -> str:
    """A markdown table, one row per method: name -> score_top_k's dict (or its "overall")."""
    ks = {int(s.get("k", 10)) for s in rows.values()} or {10}
    k = ks.pop() if len(ks) == 1 else None
    at = f"@{k}" if k is not None else "@k"
    lines = [
        f"| method | genre-fit{at} | topic-fit{at} | expect-fit{at} | junk |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, score in rows.items():
        s = score.get("overall", score)
        lines.append(
            f"| {name} | {_cell(s.get('genre_fit'))} | {_cell(s.get('topic_fit'))} | "
            f"{_cell(s.get('expect_fit'))} | {_cell(s.get('junk'), percent=True)} |"
        )
    return "\n".join(lines) + "\n"
