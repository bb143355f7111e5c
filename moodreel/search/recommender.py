"""The product's core call: mood text (+ filters, + viewer) -> ranked, explained recommendations.

mood text -> ``MoodQuery`` (what was understood, vibe/plot/genre vectors, weights, the
inferred filters) -> one fused vector -> Milvus search with the merged filters (the
viewer's explicit filters win) -> ``fusion.rerank`` (literal topic matches, soft
avoids) -> ``Recommendation`` records that carry their title and say why in plain words.
Pitches are streamed separately per card, from the title the record already holds.

With a ``ViewerProfile`` the taste vector (same fused space: liked titles' vibe, plot
and genres) is added to the query: strongly for an open request ("something good
tonight"), by ``settings.personalization`` otherwise, so a specific mood still wins.
Without a mood (``recommend_for_viewer``) the taste vector is the query.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field

from moodreel.credits import Credits, CreditsIndex
from moodreel.embedding import VibeEncoder
from moodreel.errors import MoodreelError
from moodreel.filters import SearchFilters
from moodreel.mood.base import MoodParser
from moodreel.mood.vibe_words import VibeWords
from moodreel.profiles.habits import CatalogShares
from moodreel.profiles.profile import ViewerProfile
from moodreel.profiles.taste import CATALOG_FIELDS, TasteRanker, genre_gated
from moodreel.profiles.together import Group, above, fits_for, least_misery
from moodreel.prompts import Prompt
from moodreel.query.feedback import FEEDBACK_TITLES, FIRST_PASS, feedback_feelings
from moodreel.query.fusion import TOPIC_BONUS, Ranked, explain, rerank
from moodreel.query.mood_query import GenrePrior, MoodQuery, QueryBuilder
from moodreel.query.understanding import Understood
from moodreel.query.vocabulary import StoreVocabulary
from moodreel.records import Hit, StoredTitle
from moodreel.search import journey as journeys
from moodreel.search.pitch import (
    PitchChunk,
    read_pitch_ahead,
    render_pitch_messages,
    stream_pitch,
    template_chunk,
)
from moodreel.search.similar import Seed, like_vector, why_like
from moodreel.services import Services
from moodreel.signals import Layout, query_vector

log = logging.getLogger(__name__)

MIN_CANDIDATES = 60
RELAX_BELOW = 3
# Inferred constraints loosened, in this order, when fewer than RELAX_BELOW titles meet them
# all (a short list that honours the request beats a full one that does not). The
# exclusions (negated genres, adult ratings for kids) are never loosened.
RELAXABLE = (("era", ("min_year", "max_year")), ("country", ("countries",)), ("length", ("max_runtime",)),
             ("type", ("type",)), ("format", ("required_genres",)))  # fmt: skip
CANDIDATE_FACTOR = 5
OPEN_TASTE_WEIGHT = 1.0
# Typical norm of a stored title vector (unit vibe, plot and genre blocks): the taste
# term is divided by it so that it adds a cosine, on the scale of the mood's terms.
TITLE_NORM = 1.9
# Titles sampled (evenly, by id) to learn what a typical taste fit is, for watching together.
CATALOG_SAMPLE = 500


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
    imdb_id: str | None = Field(None, description="The title's IMDb id, when the catalog has it.")
    fits: dict[str, float] = Field(
        default_factory=dict, description="Watching together: each viewer's taste fit (cosine)."
    )
    tagline: str | None = Field(
        None, description="One line (at most 12 words) for this viewer and mood; set with the pitch."
    )
    description: str = Field("", exclude=True)
    similarity: float = Field(0.0, exclude=True)
    runtime: int | None = Field(None, exclude=True)
    imdb_score: float | None = Field(None, exclude=True)
    stored: StoredTitle | None = Field(None, exclude=True, repr=False)


class RecommendationSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mood: str
    emotions: list[str]
    results: list[Recommendation]
    understood: Understood | None = None
    relaxed: list[str] = Field(
        default_factory=list,
        description="Constraints read from the mood that were loosened to fill the list.",
    )


class LikeResult(BaseModel):
    """More like one title: ``{"seed": {...}, "mood": ..., "results": [records as in recommend]}``."""

    model_config = ConfigDict(extra="forbid")

    seed: Seed
    mood: str | None = Field(None, description="The mood that steered the search, if any.")
    results: list[Recommendation]


class JourneyResult(BaseModel):
    """A mood journey: ``{"from", "to", "steps": [records as in recommend, in order]}``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    steps: list[Recommendation]


class Recommender:
    """Search and rank; every collaborator is handed in (``services.build_recommender``)."""

    def __init__(
        self,
        store,
        queries: QueryBuilder,
        encoder: VibeEncoder,
        layout: Layout,
        personalization: float = 0.5,
        pitch_deps: PitchDeps | None = None,
        feelings_reader: str = "auto",
        taste_ranker: TasteRanker | None = None,
    ) -> None:
        """``feelings_reader``: "classifier" (the mood parser's emotions and the nearest
        feeling words), "feedback" (the feelings of the titles the plot and genres find
        first, ``query.feedback``) or "auto" (the classifier's, and feedback when it left no
        feeling: "romcom set in new york"); the feelings said in words lead either way."""
        self.feelings_reader = feelings_reader
        self.store = store
        self.queries = queries
        self.encoder = encoder
        self.layout = layout
        self.personalization = personalization
        self.pitch_deps = pitch_deps
        self._sample: np.ndarray | None = None
        # habits and popularity per viewer (profiles.taste); the catalog's shares read on first use
        self.taste_ranker = taste_ranker or TasteRanker(
            lambda: CatalogShares.of(store.all_titles(CATALOG_FIELDS))
        )

    @classmethod
    def from_services(
        cls, services: Services, mood_parser: MoodParser | None = None, vibe_words: VibeWords | None = None
    ) -> Recommender:
        """Wired to the process's shared objects; tests hand in a fixed parser or word list."""
        embedder, settings = services.embedder, services.settings
        queries = QueryBuilder(
            embedder,
            services.encoder,
            mood_parser or make_mood_parser(services, settings.mood_parser),
            vibe_words or VibeWords(embedder),
            GenrePrior(embedder),
            StoreVocabulary(services.store, services.layout.plot),
        )
        pitch = PitchDeps(
            chat_model=lambda: services.chat_model,
            prompt=services.prompt("pitch"),
            credits=services.credits,
            timeout_s=settings.pitch_timeout_s,
            temperature=settings.pitch_temperature,
        )
        return cls(
            services.store, queries, services.encoder, services.layout, settings.personalization, pitch
        )

    def warm_up(self) -> None:
        """Load the parser, embed the feeling vocabulary and read the store's rows into memory
        (``row_cache``) now, not while a visitor waits."""
        from moodreel.vibes.lexicon import EMOTIONS

        self.encoder.word_vectors(list(EMOTIONS))
        self.queries.vocabulary()  # the catalog's words, read once
        self.understand("warming up")
        self.store.keep_rows()  # the store's rows into memory, when they fit

    def understand(self, mood: str, drop: list[str] | None = None) -> MoodQuery:
        query = self.queries.build(mood, drop)
        if query.open:
            return query
        if self.feelings_reader == "feedback" or (self.feelings_reader == "auto" and not query.feelings):
            query = self._with_feedback(query, drop)
        return query

    def _with_feedback(self, query: MoodQuery, drop: list[str] | None) -> MoodQuery:
        """Pseudo-relevance feedback: search by plot and genre alone, read the feelings of the
        first titles found, and search the vibe with them."""
        first = query_vector(self.layout, FIRST_PASS, query.vibe, query.plot, query.genre_prior)
        hits = self.store.search(first, 3 * FEEDBACK_TITLES, query.filters, with_vectors=False)
        # re-ranked as a search is: what the request avoids ("nothing about cartels") must not
        # lend its feelings
        found = [r.hit for r in rerank(hits, query.understood, FEEDBACK_TITLES)]
        words = feedback_feelings(
            [h.title.emotions for h in found], leave_out=query.understood.avoid_feelings
        )
        if drop:
            words = [w for w in words if f"feel: {w}" not in drop]
        return self.queries.with_feelings(query, words)

    def recommend(
        self,
        mood: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        viewer: ViewerProfile | None = None,
        include_watched: bool = False,
        drop: list[str] | None = None,
    ) -> RecommendationSet:
        """``drop``: understood items (chips) the viewer removed."""
        query = self.understand(mood, drop)
        relaxed: list[str] = []
        results = self.search_query(query, k, filters, viewer, include_watched, relaxed=relaxed)
        return RecommendationSet(
            mood=mood, emotions=query.feelings, results=results, understood=query.understood, relaxed=relaxed
        )

    def recommend_for_viewer(
        self,
        viewer: ViewerProfile,
        k: int = 10,
        filters: SearchFilters | None = None,
        include_watched: bool = False,
    ) -> RecommendationSet:
        """Mood-free: the viewer's taste vector is the query."""
        taste = self._taste(viewer)
        if taste is None:
            raise ProfileError("this viewer has no liked or disliked catalog titles to learn a taste from")
        hits = self._candidates(taste, k, filters or SearchFilters(), viewer, include_watched)
        ranked = rerank(hits, Understood(), k, self._habit_extra(hits, viewer, "taste", filters))
        return RecommendationSet(
            mood="", emotions=viewer.emotions, results=self._records(ranked, None, viewer, taste)
        )

    def like(
        self,
        seed: StoredTitle,
        k: int = 10,
        mood: str | None = None,
        filters: SearchFilters | None = None,
    ) -> LikeResult:
        """The titles nearest to ``seed`` on all its signals (itself left out), nudged by ``mood``."""
        seed_vector = self.store.vectors([seed.id]).get(seed.id)
        if seed_vector is None:
            raise MoodreelError(f"the title {seed.title!r} ({seed.id}) is no longer in the store")
        query = self.understand(mood) if mood is not None else None
        vector = like_vector(seed_vector, query.vector(self.layout) if query else None)
        merged = (filters or SearchFilters()).merge(query.filters) if query else filters or SearchFilters()
        hits = [h for h in self._candidates(vector, k + 1, merged, None, True) if h.title.id != seed.id]
        ranked = rerank(hits, query.understood if query else Understood(), k)
        records = self._records(ranked, query, None, None)
        for rec, item in zip(records, ranked):
            rec.why = why_like(seed, seed_vector, item.hit, self.layout) + rec.why
        return LikeResult(seed=Seed.of(seed), mood=mood, results=records)

    def journey(
        self, start: str, end: str, steps: int = 3, filters: SearchFilters | None = None
    ) -> JourneyResult:
        """An ordered walk of titles from mood ``start`` to mood ``end``, no title twice."""
        if not 1 <= steps <= journeys.MAX_STEPS:
            raise journeys.JourneyError(f"a journey has 1 to {journeys.MAX_STEPS} steps, not {steps}")
        q_from, q_to = (
            journeys.as_feelings(self.understand(start)),
            journeys.as_feelings(self.understand(end)),
        )
        target = q_to.vector(self.layout)
        points = journeys.waypoints(q_from.vector(self.layout), target, steps)
        explicit = filters or SearchFilters()
        candidates = []
        for share, point in zip(journeys.shares(steps), points):
            inferred = q_to.filters if share >= 0.5 else q_from.filters
            hits = self._candidates(point, steps * 4, explicit.merge(inferred), None, True)
            candidates.append(rerank(hits, q_to.understood if share >= 0.5 else q_from.understood, len(hits)))
        path = journeys.pick_path([[r.hit for r in c] for c in candidates], target)
        out: list[Recommendation] = []
        before: float | None = None
        for number, step in enumerate(path, 1):
            query = q_to if step.share >= 0.5 else q_from
            ranked = [r for c in candidates for r in c if r.hit is step.hit][:1]
            rec = self._records(ranked, query, None, None)[0]
            rec.why = [journeys.step_why(step, number, len(path), q_from.text, q_to.text, before), *rec.why]
            out.append(rec)
            before = step.to_target
        return JourneyResult.model_validate({"from": start, "to": end, "steps": out})

    def together(
        self,
        mood: str,
        viewers: dict[str, ViewerProfile],
        k: int = 10,
        filters: SearchFilters | None = None,
        include_watched: bool = False,
        drop: list[str] | None = None,
    ) -> RecommendationSet:
        """Several viewers at once: their tastes blended, anything one of them disliked left out,
        ranked by the mood plus the lowest taste fit among them; each pick says whom it fits."""
        group = Group(viewers)
        query = self.understand(mood, drop)
        vector = query.vector(self.layout)
        blended = group.blended(self.layout.size) if self.personalization > 0 else None
        if blended is not None:
            weight = OPEN_TASTE_WEIGHT if query.open else self.personalization
            vector = vector + weight * blended
        skip = group.disliked() | (set() if include_watched else group.seen())
        n = 2 * max(MIN_CANDIDATES, k * CANDIDATE_FACTOR) + len(skip)
        merged = (filters or SearchFilters()).merge(query.filters)
        hits = [h for h in self.store.search(vector, n, merged, with_vectors=True) if h.title.id not in skip]
        bars = group.medians(self._catalog_sample())
        fit = {h.title.id: group.fit(h.vector, self.layout.size) for h in hits if h.vector is not None}
        fitting = [h for h in hits if above(fit.get(h.title.id, {}), bars)]
        if len(fitting) < k and blended is not None:
            # A strong mood ("make me laugh") can fill the pool with titles one viewer dislikes:
            # look again, led by the blended taste, under the same filters.
            seen = {h.title.id for h in hits}
            more = self.store.search(
                blended + 0.5 * query.vector(self.layout), 3 * n, merged, with_vectors=True
            )
            more = [
                h for h in more if h.title.id not in skip and h.title.id not in seen and h.vector is not None
            ]
            fit.update({h.title.id: group.fit(h.vector, self.layout.size) for h in more})
            hits += more
            fitting += [h for h in more if above(fit[h.title.id], bars)]
        extra = {i: least_misery(0.0, f) for i, f in fit.items()}
        ranked = rerank(fitting, query.understood, k, extra)
        if len(ranked) < k:  # too few fit everyone: the closest others, after them
            rest = [h for h in hits if not above(fit.get(h.title.id, {}), bars)]
            ranked += rerank(rest, query.understood, k - len(ranked), extra)
        records = self._records(ranked, query, None, None)
        for rec in records:
            rec.fits = fit.get(rec.id, {})
            names = fits_for(rec.fits)
            if names:
                rec.why.append("fits " + " and ".join(f"{n} ({rec.fits[n]:.2f})" for n in names))
        return RecommendationSet(
            mood=mood, emotions=query.feelings, results=records, understood=query.understood
        )

    # ---- internals -----------------------------------------------------------------
    def _catalog_sample(self) -> np.ndarray:
        """Vectors of every ``len // CATALOG_SAMPLE``-th title (by id), read once: the typical title."""
        if self._sample is None:
            ids = sorted(t.id for t in self.store.all_titles(["id", "title", "type"]))
            ids = ids[:: max(1, len(ids) // CATALOG_SAMPLE)]
            vectors = self.store.vectors(ids) if ids else {}
            rows = [vectors[i] for i in ids if i in vectors]
            self._sample = np.stack(rows) if rows else np.zeros((0, self.layout.size), dtype=np.float32)
        return self._sample

    def _taste(self, viewer: ViewerProfile | None) -> np.ndarray | None:
        if viewer is None or viewer.taste is None:
            return None
        if len(viewer.taste) != self.layout.size:
            log.warning("viewer %s has a taste from an older store; it is not used", viewer.pid[:8])
            return None
        return np.asarray(viewer.taste, dtype=np.float32)

    def _candidates(
        self,
        vector: np.ndarray,
        k: int,
        filters: SearchFilters,
        viewer: ViewerProfile | None,
        include_watched: bool,
        leave_out: set[str] | frozenset[str] = frozenset(),
    ):
        """``leave_out``: ids never returned (the titles a request likens itself to)."""
        skip = set(leave_out) | (set() if viewer is None or include_watched else viewer.seen_ids)
        pool = self.taste_ranker.pool if viewer is not None and self.personalization > 0 else 0
        n = max(MIN_CANDIDATES, k * CANDIDATE_FACTOR, pool) + len(skip)
        hits = self.store.search(vector, n, filters, with_vectors=True)
        return [h for h in hits if h.title.id not in skip]

    def _taste_pool(
        self,
        hits: list[Hit],
        vector: np.ndarray,
        taste: np.ndarray,
        query: MoodQuery,
        filters: SearchFilters,
        viewer: ViewerProfile | None,
        include_watched: bool,
        leave_out: set[str],
    ) -> list[Hit]:
        """A specific mood, for a viewer: the titles a taste-led search adds to the mood's own
        candidates, kept only when they are as much in the request's genres (``taste.genre_gated``),
        scored on the mood's own query vector (so the ranking compares like with like)."""
        ranker = self.taste_ranker
        if ranker.taste_pool <= 0:
            return []
        led = vector + (ranker.taste_pool_weight / TITLE_NORM) * taste
        shown = {h.title.id for h in hits}
        skip = shown | leave_out | (set() if viewer is None or include_watched else viewer.seen_ids)
        found = self.store.search(led, ranker.taste_pool + len(skip), filters, with_vectors=True)
        more = [h for h in found if h.title.id not in skip and h.vector is not None][: ranker.taste_pool]
        genres = self.layout.genres
        own = [float(h.vector[genres] @ query.genre_prior) for h in hits if h.vector is not None]
        keep = genre_gated(
            [float(h.vector[genres] @ query.genre_prior) for h in more], own, ranker.genre_gate
        )
        return [
            Hit(title=h.title, similarity=float(h.vector @ vector), vector=h.vector)
            for h, kept in zip(more, keep)
            if kept
        ]

    def _with_seeds(self, vector: np.ndarray, like_titles: list[str]) -> np.ndarray:
        """A request that names catalog titles ("like Queer Eye, makeovers and crying") searches
        near them, steered by the rest of the request, as "more like this" does."""
        if not like_titles:
            return vector
        found = self.store.vectors(like_titles)
        seeds = [found[i] / (float(np.linalg.norm(found[i])) or 1.0) for i in like_titles if i in found]
        if not seeds:
            return vector
        return like_vector(np.mean(seeds, axis=0), vector)

    def search_query(
        self,
        query: MoodQuery,
        k: int = 10,
        filters: SearchFilters | None = None,
        viewer: ViewerProfile | None = None,
        include_watched: bool = False,
        adjust: bool = True,
        relaxed: list[str] | None = None,
        topic_bonus: float = TOPIC_BONUS,
    ) -> list[Recommendation]:
        """Search with an understood query (``adjust=False``: the store's fused order as it
        comes, without ``fusion.rerank``'s topic and avoid adjustments; for ablations).
        Names of loosened constraints are appended to ``relaxed``."""
        explicit = filters or SearchFilters()
        vector = self._with_seeds(query.vector(self.layout), query.understood.like_titles)
        taste = self._taste(viewer) if self.personalization > 0 else None  # 0 = pure mood (settings)
        if taste is not None:
            weight = OPEN_TASTE_WEIGHT if query.open else self.personalization
            vector = vector + (weight / TITLE_NORM) * taste
        understood = query.understood if adjust else Understood()
        inferred = query.filters
        kind = "open" if query.open else "specific"
        seeds = set(query.understood.like_titles)
        hits = self._candidates(vector, k, explicit.merge(inferred), viewer, include_watched, seeds)
        if taste is not None and not query.open:
            hits += self._taste_pool(
                hits, vector, taste, query, explicit.merge(inferred), viewer, include_watched, seeds
            )
        ranked = rerank(
            hits,
            understood,
            k,
            self._habit_extra(hits, viewer, kind, explicit.merge(inferred)),
            topic_bonus=topic_bonus,
        )
        for name, fields in RELAXABLE:
            if len(ranked) >= min(k, RELAX_BELOW):
                break
            if all(getattr(inferred, f) in (None, []) for f in fields):
                continue
            inferred = inferred.model_copy(
                update={
                    f: SearchFilters.model_fields[f].get_default(call_default_factory=True) for f in fields
                }
            )
            shown = {r.hit.title.id for r in ranked}
            more = self._candidates(vector, k, explicit.merge(inferred), viewer, include_watched, seeds)
            fresh = [h for h in more if h.title.id not in shown]
            extra = self._habit_extra(fresh, viewer, kind, explicit.merge(inferred))
            ranked += rerank(fresh, understood, k - len(ranked), extra, topic_bonus=topic_bonus)
            if relaxed is not None:
                relaxed.append(name)
        return self._records(ranked, query, viewer, taste)

    def _records(
        self,
        ranked: list[Ranked],
        query: MoodQuery | None,
        viewer: ViewerProfile | None,
        taste: np.ndarray | None,
    ) -> list[Recommendation]:
        feelings = query.understood.feelings if query else []
        feeling_vectors = self.encoder.word_vectors(feelings) if feelings else None
        if feelings:  # every card's words not seen yet, in one batch
            self.encoder.word_vectors(sorted({w for item in ranked for w in item.hit.title.emotions}))
        likes = self._closest_likes(viewer, ranked) if taste is not None else {}
        out = []
        for item in ranked:
            t = item.hit.title
            why: list[str] = []
            if query is not None:
                title_vectors = self.encoder.word_vectors(t.emotions) if t.emotions and feelings else None
                why = explain(item, query, self.layout, feeling_vectors, title_vectors)
            if taste is not None and item.hit.vector is not None:
                sim = _cosine(item.hit.vector, taste)
                like = likes.get(t.id)
                why.append(f"taste match {sim:.2f}" + (f": like {like}" if like else ""))
            habit = self._habit_why(t, viewer, query)
            if habit:
                why.append(habit)
            out.append(
                Recommendation(
                    id=t.id,
                    title=t.title,
                    type=t.type,
                    year=t.release_year,
                    genres=t.genres,
                    emotions=t.emotions,
                    emojis=t.emojis,
                    score=round(item.score, 4),
                    why=why,
                    description=t.description,
                    similarity=item.hit.similarity,
                    runtime=t.runtime,
                    imdb_score=t.imdb_score,
                    imdb_id=t.imdb_id,
                    stored=t,
                )  # fmt: skip
            )
        return out

    def _habit_extra(self, hits, viewer: ViewerProfile | None, kind: str, filters: SearchFilters | None):
        """Scores the viewer's habits and popularity lean add to each candidate (profiles.taste)."""
        if viewer is None or self.personalization <= 0:
            return None
        return self.taste_ranker.extra([h.title for h in hits], viewer, kind, filters)

    def _habit_why(
        self, title: StoredTitle, viewer: ViewerProfile | None, query: MoodQuery | None
    ) -> str | None:
        if viewer is None or self.personalization <= 0:
            return None
        return self.taste_ranker.why(title, viewer, query.filters if query else None)

    def _closest_likes(self, viewer: ViewerProfile | None, ranked: list[Ranked]) -> dict[str, str]:
        """For each card, the liked title it is most like (for "taste match ...: like X")."""
        if viewer is None or not viewer.liked:
            return {}
        liked = self.store.vectors([r.id for r in viewer.liked])
        refs = [r for r in viewer.liked if r.id in liked]
        shown = {i.hit.title.id: i.hit.vector for i in ranked if i.hit.vector is not None}
        if not refs or not shown:
            return {}
        matrix = np.stack([liked[r.id] for r in refs])
        return {i: refs[int(np.argmax(matrix @ v))].title for i, v in shown.items()}

    # ---- pitches -------------------------------------------------------------------
    def warm_up_pitches(self) -> None:
        """Load the LLM and read the pitch prompt's fixed start into its cache, so the first
        pitch of the first search only reads its own part (the local backend keeps the
        longest shared prefix of consecutive prompts)."""
        if self.pitch_deps is None:
            return
        deps = self.pitch_deps
        title = StoredTitle(id="warm-up", title="A film", type="MOVIE", emotions=["joy", "hope", "wonder"])
        messages = render_pitch_messages(deps.prompt, title, "a mood", ["joy"], Credits())
        model = deps.chat_model()
        warm_up = getattr(model, "warm_up", None)  # the local backend: into each of its contexts
        if warm_up is not None:
            warm_up(messages)
        else:
            model.invoke(messages, max_tokens=1)

    def stream_pitch(
        self,
        rec: Recommendation,
        mood: str,
        emotions: list[str],
        viewer_summary: str = "",
        max_tokens: int = 120,
        cancelled: Callable[[], bool] | None = None,
        llm_options: dict[str, Any] | None = None,
        started: Callable[[], None] | None = None,
        openings: list[str] | None = None,
    ) -> Iterator[PitchChunk]:
        """The tagline and pitch as they are generated (at most ``max_tokens``); templates with
        a notice if the LLM fails or cannot be loaded. ``cancelled``: polled while writing;
        ``started``: called once the LLM's first words arrive; ``openings``: the first words
        of this search's pitches so far (one list per search: no two open alike)."""
        if self.pitch_deps is None:
            raise MoodreelError("this recommender was built without a pitch writer")
        stored = self._stored(rec)
        if stored is None:
            yield PitchChunk(f"{rec.title}.", fallback=True, notice="title no longer in the store", done=True)
            return
        deps = self.pitch_deps
        credits = deps.credits.get(rec.id)
        try:
            model = deps.chat_model()
        except MoodreelError as exc:  # no model: template pitches, the search still answers
            log.warning("no LLM for pitches: %s", exc)
            yield template_chunk(
                stored, mood, emotions, credits, viewer_summary, f"AI pitch unavailable: {exc}"
            )
            return
        yield from stream_pitch(
            model,
            deps.prompt,
            stored,
            mood,
            emotions,
            credits,
            viewer_summary,
            timeout_s=deps.timeout_s,
            max_tokens=max_tokens,
            temperature=deps.temperature,
            cancelled=cancelled,
            llm_options=llm_options,
            started=started,
            openings=openings,
        )

    def read_pitch_ahead(
        self, rec: Recommendation, mood: str, emotions: list[str], viewer_summary: str = ""
    ) -> bool:
        """Let the LLM read ``rec``'s pitch prompt while it writes another one (see
        ``search.pitch.read_pitch_ahead``); the same arguments to ``stream_pitch`` then start
        writing at once. False when nothing was read (no idle context, no model yet)."""
        deps = self.pitch_deps
        stored = self._stored(rec) if deps is not None else None
        if deps is None or stored is None:
            return False
        try:
            model = deps.chat_model()
        except MoodreelError:
            return False  # the pitch itself will say why
        return read_pitch_ahead(
            model, deps.prompt, stored, mood, emotions, deps.credits.get(rec.id), viewer_summary
        )

    def _stored(self, rec: Recommendation) -> StoredTitle | None:
        if rec.stored is not None:
            return rec.stored
        found = self.store.get([rec.id])
        return found[0] if found else None

    def pitch(
        self,
        rec: Recommendation,
        mood: str,
        emotions: list[str],
        viewer_summary: str = "",
        llm_options: dict[str, Any] | None = None,
    ) -> str:
        chunks = self.stream_pitch(rec, mood, emotions, viewer_summary, llm_options=llm_options)
        return "".join(c.text for c in chunks).strip()


@dataclass(frozen=True)
class PitchDeps:
    """What pitching needs: the chat model (a provider: the LLM loads on first use), the
    prompt, the credits index and a timeout."""

    chat_model: Callable[[], BaseChatModel]
    prompt: Prompt
    credits: CreditsIndex
    timeout_s: float
    temperature: float = 0.7


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / norm) if norm else 0.0


def make_mood_parser(services: Services, name: str) -> MoodParser:
    if name == "llm":
        from moodreel.mood.llm_parser import LLMMoodParser

        return LLMMoodParser(
            services.chat_model, services.prompt("parse_mood"), temperature=services.settings.llm_temperature
        )
    from moodreel.mood.classifier import ClassifierMoodParser

    return ClassifierMoodParser(services.embedder)
