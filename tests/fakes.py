"""Small fakes for fast tests: a deterministic embedder, a queue-fed chat model, a dict store."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from moodreel.filters import SearchFilters
from moodreel.mood.base import MoodParse, clean_mood_text
from moodreel.records import Hit, IndexedTitle, StoredTitle
from moodreel.store import from_row, to_row


class HashEmbedder:
    """Same text, same unit vector; different texts, nearly orthogonal vectors."""

    name = "hash-embedder"

    def __init__(self, dimension: int = 32) -> None:
        self.dimension = dimension
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).normal(size=self.dimension)
            rows.append(v / np.linalg.norm(v))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dimension)


class QueueChatModel(BaseChatModel):
    """Answers from a queue and records every conversation it was given."""

    model_id: str = "fake-llm"
    _answers: list[str] = PrivateAttr(default_factory=list)
    _seen: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _kwargs: list[dict] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "fake-queue"

    def enqueue(self, *answers: str) -> QueueChatModel:
        self._answers.extend(answers)
        return self

    @property
    def seen(self) -> list[list[BaseMessage]]:
        return self._seen

    @property
    def kwargs_seen(self) -> list[dict]:
        return self._kwargs

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self._seen.append(list(messages))
        self._kwargs.append(kwargs)
        if not self._answers:
            raise RuntimeError("QueueChatModel: no answer queued")
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._answers.pop(0)))])


def passes(filters: SearchFilters | None, t: StoredTitle) -> bool:
    """``SearchFilters`` evaluated in Python: the fake's stand-in for the store's expression."""
    if filters is None:
        return True
    f = filters
    year, runtime, cert = t.release_year, t.runtime, t.age_certification or ""
    checks = [
        f.type is None or t.type == f.type,
        f.lists_admit(t.genres, t.production_countries),  # genres and countries, as the store's
        f.min_year is None or (year is not None and year >= f.min_year),
        f.max_year is None or (year is not None and year <= f.max_year),
        f.max_runtime is None or (runtime is not None and runtime <= f.max_runtime),
        not f.age_certifications or cert in f.age_certifications,
        cert not in f.exclude_certifications,
        f.min_imdb_score is None or (t.imdb_score is not None and t.imdb_score >= f.min_imdb_score),
    ]
    return all(checks)


class DictStore:
    """The ``VectorStore`` protocol over a dict, for tests that are not about Milvus."""

    def __init__(self, dimension: int = 0) -> None:
        self.dimension = dimension
        self.rows: dict[str, dict] = {}
        self.upserts = 0
        self.created = False

    def ensure_collection(self, rebuild_outdated: bool = False) -> None:
        self.created = True

    def is_current(self) -> bool:
        return True

    def exists(self) -> bool:
        return self.created

    def fingerprints(self) -> dict[str, tuple[str, str]]:
        return {k: (r["content_hash"], r["source_key"]) for k, r in self.rows.items()}

    def upsert(self, items: Sequence[IndexedTitle]) -> int:
        self.upserts += 1
        for item in items:
            row = to_row(item)
            self.rows[row["id"]] = row
        return len(items)

    def flush(self) -> None:
        pass

    def count(self) -> int:
        return len(self.rows)

    def get(self, ids: Sequence[str]) -> list:
        return [from_row(self.rows[i]) for i in ids if i in self.rows]

    def all_titles(self, fields: Sequence[str] | None = None) -> list:
        return [from_row(r) for r in self.rows.values()]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        return {i: np.asarray(self.rows[i]["vector"], dtype=np.float32) for i in ids if i in self.rows}

    def keep_rows(self) -> int:
        return len(self.rows)  # every row is in memory already

    def search(
        self, vector: np.ndarray, k: int, filters: SearchFilters | None = None, with_vectors: bool = False
    ) -> list[Hit]:
        rows = [r for r in self.rows.values() if passes(filters, from_row(r))]
        scored = sorted(rows, key=lambda r: (-float(np.dot(r["vector"], vector)), r["id"]))
        return [
            Hit(
                title=from_row(r),
                similarity=float(np.dot(r["vector"], vector)),
                vector=np.asarray(r["vector"], dtype=np.float32) if with_vectors else None,
            )
            for r in scored[:k]
        ]


class FixedMoodParser:
    """A mood parser that always reads the same feelings (the text is still validated)."""

    name = "fixed"

    def __init__(self, emotions):
        self.emotions = emotions

    def parse(self, text):
        clean_mood_text(text)
        return MoodParse(emotions=self.emotions, parser=self.name)


class PlainWords:
    """Search with exactly the parser's emotions (no vibe-word expansion)."""

    def query_words(self, text: str, emotions: list[str]) -> list[str]:
        return list(emotions)

    def feeling_of(self, word: str) -> str | None:
        return None  # no topic word is read as a feeling


def index_titles(store, embedder, items) -> list[IndexedTitle]:
    """Put ``(Title, emotions)`` pairs into ``store`` as ingest does: fused vibe | plot |
    genre | quality vectors (``signals.title_vector``), fast-extractor provenance."""
    from moodreel.embedding import VibeEncoder
    from moodreel.records import TitleVibes
    from moodreel.signals import Layout, title_vector

    layout, encoder = Layout(embedder.dimension), VibeEncoder(embedder)
    indexed = []
    for title, emotions in items:
        vibes = TitleVibes(
            id=title.id, content_hash=title.content_hash(), emotions=emotions, emojis="🎬🌙", extractor="fast"
        )
        plot = embedder.embed([title.description])[0] if title.description else np.zeros(embedder.dimension)
        vector = title_vector(
            layout, encoder.encode([emotions])[0], plot, title.genres, title.imdb_score, title.imdb_votes
        )
        indexed.append(IndexedTitle(title, vibes, vector))
    store.upsert(indexed)
    return indexed
