"""The product's core call: mood text (+ filters) -> ranked, explained recommendations.

mood text -> MoodParse (emotions) -> one vibe vector (same recipe as titles) ->
Milvus search with pushed-down filters -> rank (similarity + small quality term) ->
``Recommendation`` records with "why"; pitches are streamed separately, per card.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field

from moodreel.mood.base import MoodError, MoodParse, MoodParser
from moodreel.search.filters import SearchFilters
from moodreel.search.pitch import PitchChunk, stream_pitch
from moodreel.search.ranking import explain, rank
from moodreel.services import Services

CANDIDATE_FACTOR = 3


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
    def __init__(self, services: Services, mood_parser: MoodParser | None = None) -> None:
        self.services = services
        self._mood_parser = mood_parser

    @property
    def mood_parser(self) -> MoodParser:
        if self._mood_parser is None:
            self._mood_parser = make_mood_parser(self.services, self.services.settings.mood_parser)
        return self._mood_parser

    def parse_mood(self, text: str) -> MoodParse:
        return self.mood_parser.parse(text)

    def search(
        self, emotions: list[str], k: int = 10, filters: SearchFilters | None = None
    ) -> list[Recommendation]:
        if not emotions:
            raise MoodError("No emotions to search with.")
        encoder = self.services.encoder
        query = encoder.encode([emotions])[0]
        expression = (filters or SearchFilters()).expression()
        hits = self.services.store.search(query, k * CANDIDATE_FACTOR, expression)
        results = []
        for hit, score in rank(hits, k):
            t = hit.title
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
                    why=explain(t.emotions, emotions, encoder),
                    description=t.description,
                    similarity=hit.similarity,
                    runtime=t.runtime,
                    imdb_score=t.imdb_score,
                )  # fmt: skip
            )
        return results

    def recommend(self, mood: str, k: int = 10, filters: SearchFilters | None = None) -> RecommendationSet:
        parsed = self.parse_mood(mood)
        return RecommendationSet(
            mood=mood, emotions=parsed.emotions, results=self.search(parsed.emotions, k, filters)
        )

    def stream_pitch(
        self, rec: Recommendation, mood: str, emotions: list[str], viewer_summary: str = ""
    ) -> Iterator[PitchChunk]:
        from moodreel.prompts import load_prompt

        stored = self.services.store.get([rec.id])
        if not stored:
            yield PitchChunk(f"{rec.title}.", fallback=True, notice="title no longer in the store")
            return
        yield from stream_pitch(
            self.services.chat_model,
            load_prompt("pitch", self.services.settings.prompts_dir),
            stored[0],
            mood,
            emotions,
            self.services.credits.get(rec.id),
            viewer_summary,
            timeout_s=self.services.settings.pitch_timeout_s,
        )

    def pitch(self, rec: Recommendation, mood: str, emotions: list[str], viewer_summary: str = "") -> str:
        return "".join(c.text for c in self.stream_pitch(rec, mood, emotions, viewer_summary)).strip()


def make_mood_parser(services: Services, name: str) -> MoodParser:
    if name == "llm":
        from moodreel.mood.llm_parser import LLMMoodParser
        from moodreel.prompts import load_prompt

        return LLMMoodParser(services.chat_model, load_prompt("parse_mood", services.settings.prompts_dir))
    from moodreel.mood.classifier import ClassifierMoodParser

    return ClassifierMoodParser(services.embedder)
