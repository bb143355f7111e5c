"""The product's core call: mood text (+ filters) -> ranked, explained recommendations.

mood text -> MoodParse (emotions) -> one vibe vector (same recipe as titles) ->
Milvus search with pushed-down filters -> rank (similarity + small quality term) ->
``Recommendation`` records with "why"; pitches are streamed separately, per card.

With a ``ViewerProfile`` the candidates are the mood's nearest titles plus the taste
vector's, re-scored as (1 - w) * mood + w * taste (w = ``settings.personalization``);
the viewer's watched (and 👍/👎) titles are dropped unless ``include_watched``. Without
a mood (``recommend_for_viewer``) the taste vector is the query.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from moodreel.errors import MoodreelError
from moodreel.mood.base import MoodError, MoodParse, MoodParser, clean_mood_text
from moodreel.mood.vibe_words import VibeWords
from moodreel.profiles.profile import ViewerProfile
from moodreel.records import Hit
from moodreel.search.filters import SearchFilters
from moodreel.search.pitch import PitchChunk, stream_pitch
from moodreel.search.ranking import explain, explain_taste, rank, rank_personal
from moodreel.services import Services

CANDIDATE_FACTOR = 3


class ProfileError(MoodreelError):
    """A viewer profile cannot be used for this request."""


class Recommendation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    type: str
    year: int | None
    genres: list[str]
    emotions: list[str]
    emojis: str
    score: float
    why: list[str]
    pitch: str | None = None
    description: str = Field("", exclude=True)
    similarity: float = Field(0.0, exclude=True)
    runtime: int | None = Field(None, exclude=True)
    imdb_score: float | None = Field(None, exclude=True)


class RecommendationSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mood: str
    emotions: list[str]
    results: list[Recommendation]


class Recommender:
    def __init__(
        self, services: Services, mood_parser: MoodParser | None = None, vibe_words: VibeWords | None = None
    ) -> None:
        self.services = services
        self._mood_parser = mood_parser
        self._vibe_words = vibe_words

    @property
    def mood_parser(self) -> MoodParser:
        if self._mood_parser is None:
            self._mood_parser = make_mood_parser(self.services, self.services.settings.mood_parser)
        return self._mood_parser

    @property
    def vibe_words(self) -> VibeWords:
        if self._vibe_words is None:
            self._vibe_words = VibeWords(self.services.embedder)
        return self._vibe_words

    def parse_mood(self, text: str) -> MoodParse:
        return self.mood_parser.parse(text)

    def search(
        self,
        emotions: list[str],
        k: int = 10,
        filters: SearchFilters | None = None,
        viewer: ViewerProfile | None = None,
        include_watched: bool = False,
    ) -> list[Recommendation]:
        if not emotions:
            raise MoodError("No emotions to search with.")
        query = self.services.encoder.encode([emotions])[0]
        return self._search(query, emotions, k, filters, viewer, include_watched)

    def recommend(
        self,
        mood: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        viewer: ViewerProfile | None = None,
        include_watched: bool = False,
    ) -> RecommendationSet:
        parsed = self.parse_mood(mood)
        words = self.vibe_words.query_words(clean_mood_text(mood), parsed.emotions)
        results = self.search(words, k, filters, viewer, include_watched)
        return RecommendationSet(mood=mood, emotions=words, results=results)

    def recommend_for_viewer(
        self,
        viewer: ViewerProfile,
        k: int = 10,
        filters: SearchFilters | None = None,
        include_watched: bool = False,
    ) -> RecommendationSet:
        """Mood-free: the viewer's taste vector is the query."""
        if viewer.taste is None:
            raise ProfileError("this viewer has no liked or disliked catalog titles to learn a taste from")
        query = np.asarray(viewer.taste, dtype=np.float32)
        results = self._search(query, [], k, filters, viewer, include_watched)
        return RecommendationSet(mood="", emotions=viewer.emotions, results=results)

    def _search(
        self,
        query: np.ndarray,
        emotions: list[str],
        k: int,
        filters: SearchFilters | None,
        viewer: ViewerProfile | None,
        include_watched: bool,
    ) -> list[Recommendation]:
        store = self.services.store
        expression = (filters or SearchFilters()).expression()
        skip = set() if viewer is None or include_watched else viewer.seen_ids
        n = k * CANDIDATE_FACTOR + len(skip)
        hits = store.search(query, n, expression)
        weight = self.services.settings.personalization if emotions else 1.0
        taste_sims: dict[str, float] = {}
        likes: dict[str, str] = {}
        if viewer is not None and viewer.taste is not None and weight > 0:
            taste = np.asarray(viewer.taste, dtype=np.float32)
            if emotions:  # add the titles nearest the taste, then score everyone on both
                known = {h.title.id for h in hits}
                hits += [h for h in store.search(taste, n, expression) if h.title.id not in known]
            hits = [h for h in hits if h.title.id not in skip]
            vectors = store.vectors([h.title.id for h in hits])
            hits = [_rescored(h, vectors.get(h.title.id), query) for h in hits]
            taste_sims = {i: _cosine(v, taste) for i, v in vectors.items()}
            ranked = rank_personal(hits, taste_sims, weight, k)
            shown = {h.title.id: vectors[h.title.id] for h, _ in ranked if h.title.id in vectors}
            likes = self._closest_likes(viewer, shown)
        else:
            ranked = rank([h for h in hits if h.title.id not in skip], k)
        results = []
        for hit, score in ranked:
            t = hit.title
            why = explain(t.emotions, emotions, self.services.encoder) if emotions else []
            if t.id in taste_sims:
                why.append(explain_taste(taste_sims[t.id], likes.get(t.id)))
            results.append(
                Recommendation(
                    id=t.id,
                    title=t.title,
                    type=t.type,
                    year=t.release_year,
                    genres=t.genres,
                    emotions=t.emotions,
                    emojis=t.emojis,
                    score=round(score, 4),
                    why=why,
                    description=t.description,
                    similarity=hit.similarity,
                    runtime=t.runtime,
                    imdb_score=t.imdb_score,
                )  # fmt: skip
            )
        return results

    def _closest_likes(self, viewer: ViewerProfile, vectors: dict[str, np.ndarray]) -> dict[str, str]:
        """For each candidate, the liked title it is most like (for "taste match ...: like X")."""
        if not viewer.liked or not vectors:
            return {}
        liked = self.services.store.vectors([r.id for r in viewer.liked])
        refs = [r for r in viewer.liked if r.id in liked]
        if not refs:
            return {}
        matrix = np.stack([liked[r.id] for r in refs])
        return {i: refs[int(np.argmax(matrix @ v))].title for i, v in vectors.items()}

    def stream_pitch(
        self,
        rec: Recommendation,
        mood: str,
        emotions: list[str],
        viewer_summary: str = "",
        max_tokens: int = 120,
    ) -> Iterator[PitchChunk]:
        """The pitch as it is generated (at most ``max_tokens``); a template with a notice if the LLM fails."""
        stored = self.services.store.get([rec.id])
        if not stored:
            yield PitchChunk(f"{rec.title}.", fallback=True, notice="title no longer in the store")
            return
        yield from stream_pitch(
            self.services.chat_model,
            self.services.prompt("pitch"),
            stored[0],
            mood,
            emotions,
            self.services.credits.get(rec.id),
            viewer_summary,
            timeout_s=self.services.settings.pitch_timeout_s,
            max_tokens=max_tokens,
        )

    def pitch(self, rec: Recommendation, mood: str, emotions: list[str], viewer_summary: str = "") -> str:
        return "".join(c.text for c in self.stream_pitch(rec, mood, emotions, viewer_summary)).strip()


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / norm) if norm else 0.0


def _rescored(hit: Hit, vector: np.ndarray | None, query: np.ndarray) -> Hit:
    """The same hit scored against ``query`` (titles found by taste have no mood score yet)."""
    if vector is None:
        return hit
    return hit.model_copy(update={"similarity": _cosine(vector, query)})


def make_mood_parser(services: Services, name: str) -> MoodParser:
    if name == "llm":
        from moodreel.mood.llm_parser import LLMMoodParser

        return LLMMoodParser(services.chat_model, services.prompt("parse_mood"))
    from moodreel.mood.classifier import ClassifierMoodParser

    return ClassifierMoodParser(services.embedder)
