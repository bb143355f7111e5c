"""Director and top cast per title, from the credits CSV (for pitches and descriptions)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Credits:
    directors: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()


class CreditsIndex:
    def __init__(self, path: Path, top_cast: int = 3) -> None:
        self.path = path
        self.top_cast = top_cast
        self._by_id: dict[str, Credits] | None = None

    def _load(self) -> dict[str, Credits]:
        directors: dict[str, list[str]] = {}
        cast: dict[str, list[str]] = {}
        if self.path.exists():
            with self.path.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    role = (row.get("role") or "").upper()
                    target = directors if role == "DIRECTOR" else cast if role == "ACTOR" else None
                    if target is not None and row.get("name"):
                        target.setdefault(row["id"], []).append(row["name"])
        ids = directors.keys() | cast.keys()
        return {
            i: Credits(tuple(directors.get(i, [])[:2]), tuple(cast.get(i, [])[: self.top_cast])) for i in ids
        }

    def get(self, title_id: str) -> Credits:
        if self._by_id is None:
            self._by_id = self._load()
        return self._by_id.get(title_id, Credits())
