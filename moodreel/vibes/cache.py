"""Durable cache of extracted vibes, keyed by (content hash, extractor, model, prompt version).

SQLite, one commit per write, so a killed run loses at most the title in flight and a
re-run does no repeated LLM work. The shipped extraction (``data/vibes.jsonl``) is
loaded into the same table, so a fresh install starts with the project's own results.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from moodreel.errors import MoodreelError
from moodreel.records import TitleVibes

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vibes (
    content_hash   TEXT NOT NULL,
    extractor      TEXT NOT NULL,
    model          TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    title_id       TEXT NOT NULL,
    emotions       TEXT NOT NULL,
    emojis         TEXT NOT NULL,
    created_at     TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (content_hash, extractor, model, prompt_version)
)
"""


class VibesCache:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise MoodreelError(
                f"cannot open the vibes cache {self.path}: {reason} (MOODREEL_CACHE_DIR must be a writable folder)"
            ) from None
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def get(
        self, content_hash: str, extractor: str, model: str, prompt_version: str, title_id: str
    ) -> TitleVibes | None:
        row = self._db.execute(
            "SELECT emotions, emojis FROM vibes WHERE content_hash=? AND extractor=? AND model=? AND prompt_version=?",
            (content_hash, extractor, model, prompt_version),
        ).fetchone()
        if row is None:
            return None
        return TitleVibes(
            id=title_id,
            content_hash=content_hash,
            emotions=json.loads(row[0]),
            emojis=row[1],
            extractor=extractor,
            model=model,
            prompt_version=prompt_version,  # type: ignore[arg-type]
        )

    def latest_llm(self, content_hash: str, title_id: str) -> TitleVibes | None:
        """Newest LLM vibes for this content, whatever model or prompt made them."""
        row = self._db.execute(
            "SELECT model, prompt_version, emotions, emojis FROM vibes WHERE content_hash=? "
            "AND extractor='llm' ORDER BY created_at DESC LIMIT 1",
            (content_hash,),
        ).fetchone()
        if row is None:
            return None
        return TitleVibes(
            id=title_id,
            content_hash=content_hash,
            emotions=json.loads(row[2]),
            emojis=row[3],
            extractor="llm",
            model=row[0],
            prompt_version=row[1],
        )

    def put(self, vibes: TitleVibes) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO vibes (content_hash, extractor, model, prompt_version, title_id, emotions, emojis) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    vibes.content_hash,
                    vibes.extractor,
                    vibes.model,
                    vibes.prompt_version,
                    vibes.id,
                    json.dumps(vibes.emotions),
                    vibes.emojis,
                ),
            )

    def put_many(self, items: Iterable[TitleVibes], replace: bool = False) -> int:
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        rows = [
            (v.content_hash, v.extractor, v.model, v.prompt_version, v.id, json.dumps(v.emotions), v.emojis)
            for v in items
        ]
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                f"{verb} INTO vibes (content_hash, extractor, model, prompt_version, title_id, emotions, emojis) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self._db.execute("COMMIT")
        return len(rows)

    def count(self, extractor: str | None = None) -> int:
        if extractor:
            return self._db.execute("SELECT COUNT(*) FROM vibes WHERE extractor=?", (extractor,)).fetchone()[
                0
            ]
        return self._db.execute("SELECT COUNT(*) FROM vibes").fetchone()[0]


def read_vibes_jsonl(path: Path) -> list[TitleVibes]:
    """Read a vibes export (one JSON object per line); a bad line is an error naming it."""
    out = []
    with Path(path).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                out.append(
                    TitleVibes(
                        id=data["id"],
                        content_hash=data["content_hash"],
                        emotions=data["emotions"],
                        emojis=data["emojis"],
                        extractor=data["extractor"],
                        model=data.get("model", ""),
                        prompt_version=data.get("prompt_version", ""),
                    )
                )
            except (json.JSONDecodeError, KeyError, ValidationError) as exc:
                raise MoodreelError(f"{path}: line {number}: not a valid vibes record ({exc})") from None
    return out
