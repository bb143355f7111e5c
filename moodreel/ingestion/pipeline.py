"""Catalog -> vibes -> vectors -> Milvus, re-runnable and resumable.

For each valid title the pipeline finds its vibes (cache and shipped extraction first,
then the chosen extractor), skips it if the store already holds the same content with
vibes from the same source, and otherwise embeds and upserts it by id. Work is done in
chunks, and every LLM result is cached the moment it exists, so a killed run loses at
most one chunk of store writes and no LLM work.

``--extractor llm`` gives every title LLM vibes (a title whose extraction fails keeps
what the store had, or gets fast vibes, and is retried on the next run).
``--extractor fast`` makes no LLM call: it uses LLM vibes already cached or shipped
for the same content, and the fast extractor for the rest.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from moodreel.catalog import Catalog, RowProblem
from moodreel.embedding import VibeEncoder
from moodreel.errors import ExtractionError
from moodreel.records import IndexedTitle, Title, TitleVibes
from moodreel.signals import Layout, title_vector
from moodreel.store import VectorStore
from moodreel.vibes.cache import VibesCache
from moodreel.vibes.fast_extractor import FastExtractor
from moodreel.vibes.llm_extractor import LLMExtractor

log = logging.getLogger(__name__)

ExtractorChoice = Literal["llm", "fast"]
Phase = Literal["extract", "embed", "write"]
# Titles per chunk with the fast extractor: large enough that the embedder's batches are
# full and sorted by length (ingest ran at ~50% of raw encode speed with chunks of 256, most
# of the gap per-title work elsewhere), small enough that a killed run redoes little.
FAST_CHUNK = 1024


@dataclass
class IngestSummary:
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    llm_calls: int = 0
    by_extractor: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "total": self.total, "new": self.new, "updated": self.updated,
            "unchanged": self.unchanged, "failed": self.failed, "skipped": self.skipped,
            "llm_calls": self.llm_calls, "by_extractor": self.by_extractor,
        }  # fmt: skip


@dataclass
class Ingestor:
    store: VectorStore
    encoder: VibeEncoder
    cache: VibesCache
    fast: FastExtractor
    llm_factory: Callable[[], LLMExtractor] | None = None
    chunk_size: int = 64
    layout: Layout | None = None
    _plots: dict[str, np.ndarray] = field(default_factory=dict)
    _llm: LLMExtractor | None = None

    @property
    def llm(self) -> LLMExtractor:
        if self._llm is None:
            if self.llm_factory is None:
                raise RuntimeError("no LLM extractor configured")
            self._llm = self.llm_factory()
        return self._llm

    def run(
        self,
        catalog: Catalog,
        extractor: ExtractorChoice = "llm",
        limit: int | None = None,
        export_path: Path | None = None,
        progress: Callable[[int], None] | None = None,
        titles: Sequence[Title] | None = None,
        on_phase: Callable[[Phase, int], None] | None = None,
    ) -> IngestSummary:
        """``progress(n)`` after each chunk is stored; ``on_phase(phase, n)`` as each phase
        (extract: vibes; embed: vectors; write: the store) finishes a chunk of ``n`` titles."""
        phase = on_phase or (lambda _phase, _n: None)
        chosen = list(titles if titles is not None else catalog.titles)
        if limit is not None:
            chosen = chosen[:limit]
        summary = IngestSummary(total=len(chosen), skipped=catalog.skipped, problems=list(catalog.problems))
        self.store.ensure_collection(rebuild_outdated=True)
        stored = self.store.fingerprints()
        export = export_path.open("w", encoding="utf-8") if export_path else None
        try:
            for start in range(0, len(chosen), self.chunk_size):
                chunk = chosen[start : start + self.chunk_size]
                vibes = self._resolve(chunk, extractor, stored, summary)
                phase("extract", len(chunk))
                self._write(chunk, vibes, stored, summary, phase)
                if export:
                    for title in chunk:
                        export.write(
                            json.dumps(_export_record(title, vibes.get(title.id)), ensure_ascii=False) + "\n"
                        )
                    export.flush()
                if progress:
                    progress(len(chunk))
        finally:
            if export:
                export.close()
            self.store.flush()
        return summary

    # ---- vibes ---------------------------------------------------------------------
    def _resolve(
        self, chunk: Sequence[Title], extractor: ExtractorChoice, stored: dict, summary: IngestSummary
    ) -> dict[str, TitleVibes]:
        found: dict[str, TitleVibes] = {}
        todo: list[Title] = []
        for title in chunk:
            cached = self._cached(title, extractor)
            if cached is not None:
                found[title.id] = cached
            else:
                todo.append(title)
        if extractor == "llm" and todo:
            failed: list[Title] = []

            def done(title: Title, result: TitleVibes | ExtractionError) -> None:
                summary.llm_calls += 1
                if isinstance(result, ExtractionError):
                    summary.failed += 1
                    summary.failures.append(str(result))
                    log.warning("extraction failed: %s", result)
                    failed.append(title)
                else:
                    self.cache.put(result)
                    found[title.id] = result

            self.llm.extract_many(todo, done)
            todo = [t for t in failed if t.id not in stored]  # failed + already stored: keep the old row
        if todo:
            made = self.fast.extract(todo, self._plot_vectors(todo))
            self.cache.put_many(made, replace=True)  # one transaction per chunk, not per title
            found.update((vibes.id, vibes) for vibes in made)
        return found

    def _cached(self, title: Title, extractor: ExtractorChoice) -> TitleVibes | None:
        content = title.content_hash()
        if extractor == "llm":
            llm = self.llm  # cheap: the model itself loads on its first call
            return self.cache.get(content, "llm", llm.model_id, llm.prompt_version, title.id)
        best = self.cache.latest_llm(content, title.id)
        if best is not None:
            return best
        return self.cache.get(content, "fast", self.fast.model_id, self.fast.prompt_version, title.id)

    # ---- store ---------------------------------------------------------------------
    def _write(
        self,
        chunk: Sequence[Title],
        vibes: dict[str, TitleVibes],
        stored: dict,
        summary: IngestSummary,
        phase: Callable[[Phase, int], None],
    ) -> None:
        changed = []
        for title in chunk:
            v = vibes.get(title.id)
            if v is None:  # LLM failed and the store keeps its previous row
                continue
            summary.by_extractor[v.extractor] = summary.by_extractor.get(v.extractor, 0) + 1
            before = stored.get(title.id)
            if before == (v.content_hash, v.source_key):
                summary.unchanged += 1
                continue
            if before is None:
                summary.new += 1
            else:
                summary.updated += 1
            changed.append((title, v))
        if not changed:
            self._plots.clear()
            phase("embed", len(chunk))
            phase("write", len(chunk))
            return
        indexed = self.index(changed)
        phase("embed", len(chunk))
        self.store.upsert(indexed)
        phase("write", len(chunk))
        for t, v in changed:
            stored[t.id] = (v.content_hash, v.source_key)

    def index(self, items: Sequence[tuple[Title, TitleVibes]]) -> list[IndexedTitle]:
        """Each title with its fused vector: vibe words, synopsis, genres, quality."""
        layout = self.layout or Layout(self.encoder.embedder.dimension)
        vibes = self.encoder.encode([v.emotions for _, v in items])
        plots = self._plot_vectors([t for t, _ in items])
        self._plots.clear()  # a chunk's synopses are embedded once, for the fast extractor and here
        return [
            IndexedTitle(t, v, title_vector(layout, vibe, plot, t.genres, t.imdb_score, t.imdb_votes))
            for (t, v), vibe, plot in zip(items, vibes, plots)
        ]

    def _plot_vectors(self, titles: Sequence[Title]) -> np.ndarray:
        """Synopsis embeddings (zeros for a title without one), each title's made once per chunk."""
        missing = [t for t in titles if t.id not in self._plots]
        texts = plot_texts(missing)
        written = [i for i, text in enumerate(texts) if text]
        vectors = self.encoder.embedder.embed([texts[i] for i in written]) if written else []
        dimension = self.encoder.embedder.dimension
        for t in missing:
            self._plots[t.id] = np.zeros(dimension, dtype=np.float32)
        for i, vector in zip(written, vectors):
            self._plots[missing[i].id] = vector
        return np.stack([self._plots[t.id] for t in titles]) if titles else np.zeros((0, dimension))


def plot_texts(titles: Sequence[Title]) -> list[str]:
    """What the plot vector reads: the synopsis alone (never the name; empty stays empty)."""
    return [t.description.strip() for t in titles]


def _export_record(title: Title, vibes: TitleVibes | None) -> dict:
    if vibes is None:
        return {"id": title.id, "title": title.title, "emotions": [], "emojis": "", "extractor": "none"}
    return {
        "id": title.id, "title": title.title, "emotions": vibes.emotions, "emojis": vibes.emojis,
        "extractor": vibes.extractor, "model": vibes.model, "prompt_version": vibes.prompt_version,
        "content_hash": vibes.content_hash,
    }  # fmt: skip
