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

from moodreel.records import Hit
from moodreel.store import from_row


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


class DictStore:
    """The store interface over a dict, for pipeline tests that are not about Milvus."""

    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}
        self.upserts = 0
        self.created = False

    def ensure_collection(self) -> None:
        self.created = True

    def fingerprints(self) -> dict[str, tuple[str, str]]:
        return {k: (r["content_hash"], r["source_key"]) for k, r in self.rows.items()}

    def upsert(self, rows: Sequence[dict]) -> int:
        self.upserts += 1
        for row in rows:
            self.rows[row["id"]] = dict(row)
        return len(rows)

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

    def search(self, vector: np.ndarray, k: int, filter: str = "") -> list[Hit]:
        scored = sorted(self.rows.values(), key=lambda r: -float(np.dot(r["vector"], vector)))
        return [Hit(title=from_row(r), similarity=float(np.dot(r["vector"], vector))) for r in scored[:k]]


class PlainWords:
    """Search with exactly the parser's emotions (no vibe-word expansion)."""

    def query_words(self, text: str, emotions: list[str]) -> list[str]:
        return list(emotions)
