"""Match watch-history names to catalog titles: normalized name first, then fuzzy.

Normalization folds case, accents and punctuation, "&" to "and", drops a leading "The"
and reads a trailing year in parentheses ("The Ring (2002)" -> "ring", 2002), which
then picks between same-named titles. Failing an exact match, ``difflib`` finds the
closest names above ``threshold``. Anything that is not one clear title (two titles
equally close, a remake without a year) is reported as ambiguous, never guessed.

``difflib`` compares a name with the ``SHORTLIST`` catalog names that share the most
character trigrams with it, not with all of them: an export of 5,000 Netflix rows has a
few hundred names the catalog lacks, and scoring each against 5,849 names took 45 s.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from moodreel.records import StoredTitle

FUZZY_THRESHOLD = 0.88
SHORTLIST = 300
AMBIGUITY_MARGIN = 0.02
_YEAR = re.compile(r"\s*\((\d{4})\)\s*$")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize_title(name: str) -> tuple[str, int | None]:
    """Folded name and the year in trailing parentheses, if any."""
    year = None
    found = _YEAR.search(name)
    if found:
        year = int(found.group(1))
        name = name[: found.start()]
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ")
    text = _NON_WORD.sub(" ", text).strip()
    if text.startswith("the "):
        text = text[4:]
    return text, year


def display(title: StoredTitle) -> str:
    return f"{title.title} ({title.release_year})" if title.release_year else title.title


class MatchResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    status: Literal["exact", "fuzzy", "ambiguous", "unmatched"]
    id: str | None = None
    title: str | None = None
    score: float = 0.0
    candidates: list[str] = []
    reason: str = ""

    @property
    def matched(self) -> bool:
        return self.id is not None

    def __str__(self) -> str:
        if self.status in ("exact", "fuzzy"):
            return f"{self.name!r} -> {self.title} ({self.status}, {self.score:.2f})"
        extra = f": {', '.join(self.candidates)}" if self.candidates else ""
        why = f" ({self.reason})" if self.reason else ""
        return f"{self.name!r} {self.status}{why}{extra}"


class TitleMatcher:
    def __init__(self, titles: Sequence[StoredTitle], threshold: float = FUZZY_THRESHOLD) -> None:
        self.threshold = threshold
        self.index: dict[str, list[StoredTitle]] = {}
        for t in titles:
            self.index.setdefault(normalize_title(t.title)[0], []).append(t)
        self._keys = list(self.index)
        self._by_gram: dict[str, list[int]] = {}
        for i, key in enumerate(self._keys):
            for gram in _trigrams(key):
                self._by_gram.setdefault(gram, []).append(i)
        self._memo: dict[str, MatchResult] = {}

    def _pick(self, name: str, key: str, year: int | None, status: str, score: float) -> MatchResult:
        found = self.index[key]
        if year is not None and any(t.release_year == year for t in found):
            found = [t for t in found if t.release_year == year]
        if len(found) > 1:
            return MatchResult(
                name=name, status="ambiguous", score=score, candidates=sorted(display(t) for t in found)
            )
        t = found[0]
        return MatchResult(name=name, status=status, id=t.id, title=t.title, score=score)  # type: ignore[arg-type]

    def match(self, name: str) -> MatchResult:
        if name not in self._memo:
            self._memo[name] = self._match(name)
        return self._memo[name]

    def _match(self, name: str) -> MatchResult:
        key, year = normalize_title(name)
        if not key:
            return MatchResult(name=name, status="unmatched")
        if key in self.index:
            return self._pick(name, key, year, "exact", 1.0)
        close = self._close(key, 3, self.threshold)
        if not close:
            return MatchResult(name=name, status="unmatched", candidates=self.closest(name))
        (best, score), rest = close[0], close[1:]
        rivals = [k for k, s in rest if score - s <= AMBIGUITY_MARGIN]
        if rivals:
            cands = [display(t) for k in [best, *rivals] for t in self.index[k]]
            return MatchResult(name=name, status="ambiguous", score=score, candidates=cands)
        return self._pick(name, best, year, "fuzzy", score)

    def _shortlist(self, key: str) -> list[str]:
        """The catalog names sharing the most trigrams with ``key`` (all of them for a tiny key)."""
        grams = _trigrams(key)
        if len(self._keys) <= SHORTLIST or not grams:
            return self._keys
        counts: Counter[int] = Counter()
        for gram in grams:
            counts.update(self._by_gram.get(gram, ()))
        return [self._keys[i] for i, _ in counts.most_common(SHORTLIST)]

    def _close(self, key: str, n: int, cutoff: float) -> list[tuple[str, float]]:
        names = difflib.get_close_matches(key, self._shortlist(key), n=n, cutoff=cutoff)
        scored = [(k, difflib.SequenceMatcher(None, key, k).ratio()) for k in names]
        return sorted(scored, key=lambda p: (-p[1], p[0]))

    def closest(self, name: str, n: int = 5) -> list[str]:
        """Catalog names nearest to ``name``, for "did you mean" messages."""
        key = normalize_title(name)[0]
        return [display(t) for k, _ in self._close(key, n, 0.5) for t in self.index[k]][:n]


def _trigrams(key: str) -> set[str]:
    padded = f" {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}
