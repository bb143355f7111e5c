"""Stored titles kept in memory, checked against the store on every use.

A search that asks Milvus for every title's fields and fused vector spends most of its time
moving them (Milvus Lite, 5,849 titles, 480 rows: 174 ms with them, 55 ms for ids alone). So
a search asks only for each hit's id and version, ``(content_hash, source_key)``, the pair the
ingest already uses to decide a title is unchanged (``ingestion.pipeline``): a row is rewritten
exactly when its version changes. A kept row is used only while its version is the one the
store just returned; any other is read again. A title re-ingested by another process is thus
read afresh on its next hit, and a deleted one is never returned by the search.

Bounded: the least recently used rows go past ``size`` (each costs ~6 kB: a 789-d vector and
the title's fields). Kept vectors are read-only, so no caller can change another's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from cachetools import LRUCache

from moodreel.records import StoredTitle

Version = tuple[str, str]  # (content_hash, source_key)
# filters whose share is remembered at once (all are forgotten past it)
MAX_SHARES = 256


@dataclass(frozen=True)
class KeptRow:
    version: Version
    title: StoredTitle
    vector: np.ndarray


class RowCache:
    """Up to ``size`` stored rows by id (0: keeps nothing). Safe to share between threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._rows: LRUCache[str, KeptRow] | None = LRUCache(maxsize=size) if size > 0 else None
        self._lock = threading.Lock()
        self._complete = False  # every stored row kept (a share of them means something)
        self._changes = 0  # counts every change to the kept rows: a remembered share is of one state
        self._shares: dict[str, tuple[int, float | None]] = {}  # key -> (changes then, share)

    @property
    def enabled(self) -> bool:
        return self._rows is not None

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows) if self._rows is not None else 0

    def get(self, title_id: str, version: Version) -> KeptRow | None:
        """The kept row of ``title_id`` if it is this ``version``, else None (and it is dropped)."""
        if self._rows is None:
            return None
        with self._lock:
            row = self._rows.get(title_id)
            if row is not None and row.version != version:
                del self._rows[title_id]
                self._changes += 1
                return None
            return row

    def put(self, title: StoredTitle, vector: np.ndarray) -> KeptRow:
        """Keep ``title`` (its version read from its own fields) with a read-only copy of ``vector``."""
        kept = np.array(vector, dtype=np.float32)
        kept.flags.writeable = False
        row = KeptRow((title.content_hash, title.source_key), title, kept)
        if self._rows is not None:
            with self._lock:
                self._rows[title.id] = row
                self._changes += 1
        return row

    def share(self, key: str, admits: Callable[[StoredTitle], bool]) -> float | None:
        """The share of kept titles ``admits`` lets through, once every stored row is kept
        (``mark_complete``); None before (a share of some rows says little of the rest).
        Remembered under ``key`` (what ``admits`` checks) until the kept rows change: one pass
        over 5,849 titles costs ~10 ms, and a search with a viewer asks twice."""
        if self._rows is None or not self._complete:
            return None
        with self._lock:
            changes = self._changes
            known = self._shares.get(key)
            if known is not None and known[0] == changes:
                return known[1]
            titles = [row.title for row in self._rows.values()]
        share = sum(1 for t in titles if admits(t)) / len(titles) if titles else None
        with self._lock:
            if len(self._shares) >= MAX_SHARES:
                self._shares.clear()
            self._shares[key] = (changes, share)
        return share

    def mark_complete(self) -> None:
        """Every stored row has just been kept (``MilvusStore.keep_rows``)."""
        self._complete = True

    def clear(self) -> None:
        if self._rows is not None:
            with self._lock:
                self._rows.clear()
                self._complete = False
                self._changes += 1
