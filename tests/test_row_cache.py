"""The store's rows kept in memory (moodreel/row_cache.py), without Milvus: versions, bounds and
the remembered share of titles a filter lets through."""

from __future__ import annotations

import numpy as np

from moodreel.records import StoredTitle
from moodreel.row_cache import RowCache


def title(i: int, genres: list[str], version: str = "v1") -> StoredTitle:
    return StoredTitle(id=f"tm{i}", title=f"T{i}", type="MOVIE", genres=genres, content_hash=version)


def test_a_share_is_remembered_until_the_kept_rows_change():
    rows = RowCache(10)
    for i, genres in enumerate([["horror"], ["comedy"], ["comedy"], ["drama"]]):
        rows.put(title(i, genres), np.zeros(3))
    calls: list[str] = []

    def comedy(t: StoredTitle) -> bool:
        calls.append(t.id)
        return "comedy" in t.genres

    assert rows.share("comedy", comedy) is None  # not every stored row is known to be kept
    rows.mark_complete()
    assert rows.share("comedy", comedy) == 0.5 and len(calls) == 4
    assert rows.share("comedy", comedy) == 0.5 and len(calls) == 4  # remembered: no second pass
    rows.put(title(4, ["comedy"]), np.zeros(3))  # the rows changed: counted again
    assert rows.share("comedy", comedy) == 0.6 and len(calls) == 9
    assert rows.get("tm1", ("v2", "")) is None  # a newer version: the old row is dropped
    assert rows.share("comedy", comedy) == 0.5 and len(calls) == 13
    rows.clear()
    assert rows.share("comedy", comedy) is None


def test_rows_are_bounded_and_their_vectors_read_only():
    rows = RowCache(2)
    for i in range(3):
        rows.put(title(i, ["drama"]), np.ones(3))
    assert len(rows) == 2 and rows.get("tm0", ("v1", "")) is None  # the least recently used went
    kept = rows.get("tm2", ("v1", ""))
    assert kept is not None and not kept.vector.flags.writeable
    assert RowCache(0).put(title(9, []), np.ones(3)).title.id == "tm9" and len(RowCache(0)) == 0
