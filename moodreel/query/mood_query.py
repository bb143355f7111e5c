"""Mood text -> ``MoodQuery``: what was understood, the vectors to search with, the filters.

``QueryBuilder.build(text)`` cleans the text once, reads it (``understanding``), embeds
the request part once (the same vector serves the plot signal, the genre prior and the
nearest feeling words), asks the mood parser for the request's emotions, and weighs the
signals for this kind of request (``weights_for``). Nothing here touches the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from moodreel.embedding import Embedder, VibeEncoder
from moodreel.filters import SearchFilters
from moodreel.mood.base import MoodError, MoodParser, clean_mood_text
from moodreel.mood.vibe_words import VibeWords
from moodreel.query.lexicon import (
    CERTIFICATION_RANK,
    GENRE_DESCRIPTIONS,
    GENRES,
    PRESCHOOL_CERTIFICATIONS,
)
from moodreel.query.understanding import Understood, read_request
from moodreel.query.vocabulary import Vocabulary
from moodreel.signals import Layout, Weights, query_vector

MAX_FEELINGS = 8
# A search word this close to an avoided feeling is dropped ("nothing scary": no "dread").
AVOID_SIMILARITY = 0.6
# A request that names a genre leans on well-rated, well-known titles three times as much
# as other specific requests: "thriller" alone got six obscure single-genre thrillers. Read
# side by side on the dev split, 0.12 against 0.04 changed 57 requests: 17 better, 9 worse
# (bench/graded_pairs.jsonl).
GENRE_REQUEST_QUALITY = 0.12
GENRE_NAMED = 1.0
GENRE_AVOIDED = -1.0
GENRE_SOFT_AVOIDED = -0.6


@dataclass(frozen=True)
class MoodQuery:
    """One request, understood and embedded; flows on to the store and the ranker."""

    text: str
    understood: Understood
    parser: str
    vibe: np.ndarray
    plot: np.ndarray
    genre_prior: np.ndarray
    weights: Weights
    filters: SearchFilters
    open: bool = False  # nothing specific was asked: quality and taste lead
    said_feelings: tuple[str, ...] = ()  # the feelings read from the words, before any model

    @property
    def feelings(self) -> list[str]:
        return self.understood.feelings

    def vector(self, layout: Layout) -> np.ndarray:
        return query_vector(layout, self.weights, self.vibe, self.plot, self.genre_prior)


def weights_for(understood: Understood, has_content: bool = True, open_request: bool = False) -> Weights:
    """A topic leans on the plot, a named genre on genres, a pure feeling on the vibe; with
    no content words left, the plot signal is off; an open request ("something good
    tonight") leans on well-known, well-rated titles (and on taste, in the recommender)."""
    if open_request:
        return Weights(vibe=0.15, plot=0.0, genre=0.0, quality=0.35, known=0.2)
    if not has_content:
        return Weights(vibe=0.5, plot=0.0, genre=0.5)
    if understood.topics and (understood.genres or understood.required_genres):
        return Weights(vibe=0.14, plot=0.5, genre=0.36)  # "romcom set in new york": both count
    if understood.topics:
        return Weights(vibe=0.14, plot=0.65, genre=0.21)
    if understood.genres or understood.required_genres:
        return Weights(vibe=0.3, plot=0.2, genre=0.5, quality=GENRE_REQUEST_QUALITY)
    if understood.feelings:
        return Weights(vibe=0.4, plot=0.2, genre=0.4)
    return Weights(vibe=0.3, plot=0.2, genre=0.2)


# How far the request's similarity to one genre's line must stand out from its mean over
# all genres for the zero-shot guess to count fully; a weaker spread counts in proportion.
# "romcom" is near no genre line (spread 0.07), and stretching that noise to full scale
# ranked animation and war above the romance it named. 0.12 is about the dev split's 15th
# percentile: read side by side on the dev split, a floor of 0.3 (the 75th) lost more
# picks than it mended (6 worse, 3 better of 22 changed requests), 0.12 changed 4, even
# (bench/graded_pairs.jsonl).
ZERO_SHOT_FULL_SPREAD = 0.12


class GenrePrior:
    """Which genres a request leans to: zero-shot (request vs one line per genre), plus
    what was named (+1), dropped (-1) or pushed down (-0.6); a unit vector over GENRES."""

    def __init__(self, embedder: Embedder, full_spread: float = ZERO_SHOT_FULL_SPREAD) -> None:
        self._descriptions = embedder.embed([GENRE_DESCRIPTIONS[g] for g in GENRES])
        self.full_spread = full_spread

    def prior(self, request_vector: np.ndarray, understood: Understood) -> np.ndarray:
        sims = self._descriptions @ request_vector
        centered = sims - sims.mean()
        scale = max(float(np.abs(centered).max()), self.full_spread) or 1.0
        prior = centered / scale
        for genre in understood.genres + understood.required_genres:
            prior[GENRES.index(genre)] += GENRE_NAMED
        for genre in understood.soft_avoid_genres:
            prior[GENRES.index(genre)] += GENRE_SOFT_AVOIDED
        for genre in understood.avoid_genres:
            prior[GENRES.index(genre)] = GENRE_AVOIDED
        norm = float(np.linalg.norm(prior)) or 1.0
        return (prior / norm).astype(np.float32)


def inferred_filters(understood: Understood) -> SearchFilters:
    """The hard constraints read from the text, as filters."""
    exclude_certs: list[str] = []
    if understood.max_certification in CERTIFICATION_RANK:  # the ceiling: everything above it goes
        ceiling = CERTIFICATION_RANK[understood.max_certification]
        exclude_certs = [c for c, rank in CERTIFICATION_RANK.items() if rank > ceiling]
    elif understood.audience == "adults":  # grown-ups on their own: no preschool TV
        exclude_certs = list(PRESCHOOL_CERTIFICATIONS)
    return SearchFilters(
        type=understood.type,
        exclude_genres=understood.avoid_genres,
        required_genres=understood.required_genres,
        min_year=understood.min_year,
        max_year=understood.max_year,
        max_runtime=understood.max_runtime,
        exclude_certifications=exclude_certs,
        countries=understood.countries,
    )


def _asks_nothing(understood: Understood) -> bool:
    """An open request: no feeling, genre, topic, constraint, avoid or audience asked for."""
    return (
        understood.is_open and not understood.content and not understood.avoid and understood.audience is None
    )


class QueryBuilder:
    def __init__(
        self,
        embedder: Embedder,
        encoder: VibeEncoder,
        parser: MoodParser,
        vibe_words: VibeWords,
        genres: GenrePrior,
        vocabulary: Callable[[], Vocabulary | None] | None = None,
    ) -> None:
        """``vocabulary``: gives the catalog's vocabulary (or None while it has none), which
        decides the plot topics; without it every unknown word is a topic."""
        self.vocabulary = vocabulary or (lambda: None)
        self.embedder = embedder
        self.encoder = encoder
        self.parser = parser
        self.vibe_words = vibe_words
        self.genres = genres

    def build(self, text: str, drop: list[str] | None = None) -> MoodQuery:
        """``drop``: chips (``Understood.chips()`` labels) the viewer removed."""
        cleaned = clean_mood_text(text)
        understood = read_request(cleaned, self.vocabulary()).without(drop or [])
        understood = self._feelings_from_avoided(self._feelings_from_topics(understood))
        # open: nothing asked at all ("something good to watch tonight"); a word the tables do
        # not know ("scared out of my mind") still counts as asking, through the vectors
        open_request = _asks_nothing(understood)
        request = understood.request or cleaned
        try:
            parsed = self.parser.parse(request)
            emotions, parser = parsed.emotions, parsed.parser
        except MoodError:
            emotions, parser = [], self.parser.name
        said = tuple(understood.feelings)
        words = self.vibe_words.query_words(request, emotions)
        words = self._without_felt(words, understood)
        feelings = self._without_avoided(list(dict.fromkeys(understood.feelings + words)), understood)
        if drop:
            feelings = [f for f in feelings if f"feel: {f}" not in drop]
        understood = understood.model_copy(update={"feelings": feelings[:MAX_FEELINGS]})
        return self._query(cleaned, understood, parser, open_request, said)

    def rebuild(self, understood: Understood) -> MoodQuery:
        """The query for an understanding edited after reading (a follow-up, ``query.refine``):
        its feelings are final, so no parser runs; only the content and the feelings are embedded."""
        open_request = _asks_nothing(understood)
        feelings = understood.feelings[:MAX_FEELINGS]
        understood = understood.model_copy(update={"feelings": feelings})
        return self._query(understood.request, understood, "follow-up", open_request, tuple(feelings))

    def _query(
        self, text: str, understood: Understood, parser: str, open_request: bool, said: tuple[str, ...]
    ) -> MoodQuery:
        """The vectors, weights and filters of an understanding whose feelings are final."""
        dim = self.embedder.dimension
        content = understood.content
        # Plot and genre read the content; with none left ("a series to binge") they stay neutral.
        request_vector = self.embedder.embed([content])[0] if content else np.zeros(dim, dtype=np.float32)
        feelings = understood.feelings
        vibe = self.encoder.encode([feelings])[0] if feelings else np.zeros(dim, dtype=np.float32)
        plot = request_vector
        if understood.topics:  # the topic words alone, then the request around them
            plot = self.embedder.embed([", ".join(understood.topics)])[0] + request_vector
            plot = plot / (float(np.linalg.norm(plot)) or 1.0)
        return MoodQuery(
            text=text,
            understood=understood,
            parser=parser,
            vibe=vibe,
            plot=plot.astype(np.float32),
            genre_prior=self.genres.prior(request_vector, understood),
            weights=weights_for(understood, has_content=bool(content), open_request=open_request),
            filters=inferred_filters(understood),
            open=open_request,
            said_feelings=said,
        )

    def with_feelings(self, query: MoodQuery, words: list[str]) -> MoodQuery:
        """``query`` searching the vibe with the feelings it said plus ``words`` (from another
        reader, e.g. ``query.feedback``), less what the viewer avoids or only has."""
        understood = query.understood
        words = self._without_felt(words, understood)
        feelings = self._without_avoided(list(dict.fromkeys([*query.said_feelings, *words])), understood)
        feelings = feelings[:MAX_FEELINGS]
        vibe = (
            self.encoder.encode([feelings])[0] if feelings else np.zeros(self.embedder.dimension, np.float32)
        )
        return replace(query, understood=understood.model_copy(update={"feelings": feelings}), vibe=vibe)

    def _feelings_from_topics(self, understood: Understood) -> Understood:
        """Topic words that name a feeling ("nostalgic", "melancholic") move to the feelings."""
        topics, feelings = [], list(understood.feelings)
        for topic in understood.topics:
            feeling = self.vibe_words.feeling_of(topic) if " " not in topic else None
            if feeling:
                feelings.append(feeling)
            else:
                topics.append(topic)
        if topics == understood.topics:
            return understood
        return understood.model_copy(update={"topics": topics, "feelings": list(dict.fromkeys(feelings))})

    def _feelings_from_avoided(self, understood: Understood) -> Understood:
        """A negated word that names a feeling ("won't stress me out") avoids that feeling."""
        topics, feelings = [], list(understood.avoid_feelings)
        for topic in understood.avoid_topics:
            feeling = self.vibe_words.feeling_of(topic) if " " not in topic else None
            (feelings if feeling else topics).append(feeling or topic)
        if topics == understood.avoid_topics:
            return understood
        return understood.model_copy(
            update={"avoid_topics": topics, "avoid_feelings": list(dict.fromkeys(feelings))}
        )

    def _without_felt(self, words: list[str], understood: Understood) -> list[str]:
        """Drop the feelings the viewer only *has* ("heartbroken, cheer me up": no sadness)."""
        if not understood.felt_text:
            return words
        try:
            felt = set(self.parser.parse(understood.felt_text).emotions)
        except MoodError:
            return words
        felt |= set(self.vibe_words.nearest(understood.felt_text, n=3))
        asked = set(understood.request.lower().split())
        return [w for w in words if w not in felt or w in understood.feelings or w in asked]

    def _without_avoided(self, words: list[str], understood: Understood) -> list[str]:
        avoided = set(understood.avoid_feelings)
        words = [w for w in words if w not in avoided]
        if not avoided or not words:
            return words
        sims = self.encoder.word_vectors(words) @ self.encoder.word_vectors(sorted(avoided)).T
        return [w for w, row in zip(words, sims) if float(row.max()) < AVOID_SIMILARITY]
