"""Title -> TitleVibes without an LLM: nearest feelings to the synopsis, plus genre leanings.

Each synopsis (never the title's name) is embedded once; every word of ``lexicon.EMOTIONS`` is scored by cosine
similarity to it, with a bonus for feelings typical of the title's genres, and the eight
best are kept. Emojis are the synopsis words that name an emoji (":dog:", ":ship:"...)
plus one per genre. Whole catalog in about a minute on a 2-core CPU; specific to each
title, though cruder than the LLM.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import emoji as emoji_lib
import numpy as np

from moodreel.embedding import Embedder
from moodreel.order import descending
from moodreel.records import MAX_EMOTIONS, Title, TitleVibes
from moodreel.vibes.lexicon import EMOTIONS, GENRE_EMOJI, GENRE_EMOTIONS, STOP_EMOJI_WORDS

VERSION = "fast-v2"
GENRE_BONUS = 0.12
_TOKEN = re.compile(r"[a-z]+")


@functools.cache
def emoji_names() -> dict[str, str]:
    """``:name:`` -> emoji, as ``emoji.emojize(..., language="alias")`` resolves it (an alias
    first, then the English name, fully-qualified emojis only), built once: ``emojize`` scans
    every emoji on each unknown word, which made this extractor take ~30 ms per title."""
    qualified = emoji_lib.STATUS["fully_qualified"]
    by_alias: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for glyph, data in emoji_lib.EMOJI_DATA.items():
        if data["status"] > qualified:
            continue
        for alias in data.get("alias", ()):
            by_alias.setdefault(alias, glyph)
        if data.get("en"):
            by_name.setdefault(data["en"], glyph)
    return {**by_name, **by_alias}


def plot_emojis(title: Title, limit: int = 5) -> str:
    names = emoji_names()
    found: list[str] = []
    text = title.description.lower()
    for word in _TOKEN.findall(text):
        if len(word) < 3 or word in STOP_EMOJI_WORDS:
            continue
        for candidate in (word, word.rstrip("s")):
            glyph = names.get(f":{candidate}:")
            if glyph is not None and glyph not in found:
                found.append(glyph)
                break
        if len(found) >= limit - 1:
            break
    for genre in title.genres:
        glyph = GENRE_EMOJI.get(genre)
        if glyph and glyph not in found:
            found.append(glyph)
    if len(found) < 2:
        found.append("🎬")
    return "".join(found[:limit])


class FastExtractor:
    name = "fast"

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.model_id = f"{VERSION}:{embedder.name}"
        self.prompt_version = VERSION
        self._lexicon = embedder.embed(list(EMOTIONS))
        self._index = {w: i for i, w in enumerate(EMOTIONS)}

    def emotions_for(self, titles: Sequence[Title], synopsis_vectors: np.ndarray) -> list[list[str]]:
        scores = synopsis_vectors @ self._lexicon.T
        out = []
        for title, row in zip(titles, scores):
            row = row.copy()
            for genre in title.genres:
                for word in GENRE_EMOTIONS.get(genre, ()):
                    row[self._index[word]] += GENRE_BONUS / max(1, len(title.genres)) ** 0.5
            best = descending(row)[:MAX_EMOTIONS]
            out.append([EMOTIONS[i] for i in best])
        return out

    def extract(
        self, titles: Sequence[Title], synopsis_vectors: np.ndarray | None = None
    ) -> list[TitleVibes]:
        """``synopsis_vectors``: the embeddings of the titles' synopses, if already made (the
        pipeline's plot vectors); rows of titles without a synopsis are ignored."""
        # The synopsis only: a title's name is no vibe ("HAPPY!" is a violent hitman series).
        texts = [t.description.strip() or ", ".join(t.genres) or t.type.lower() for t in titles]
        if synopsis_vectors is None:
            vectors = self.embedder.embed(texts)
        else:
            vectors = np.array(synopsis_vectors, dtype=np.float32, copy=True)
            bare = [i for i, t in enumerate(titles) if not t.description.strip()]
            if bare:
                vectors[bare] = self.embedder.embed([texts[i] for i in bare])
        emotions = self.emotions_for(titles, vectors)
        return [
            TitleVibes(
                id=t.id,
                content_hash=t.content_hash(),
                emotions=e,
                emojis=plot_emojis(t),
                extractor="fast",
                model=self.model_id,
                prompt_version=self.prompt_version,
            )
            for t, e in zip(titles, emotions)
        ]
