"""The application layer: what the CLI, the page and the API ask of moodreel.

Each use case is written once here: recommend (with or without pitches), a viewer from a
watch history, pitch every result, describe a title for a viewer, rate a title, ingest the
bundled catalog into an empty store. The front ends (``moodreel/cli.py``,
``moodreel/webapp.py``, ``moodreel/server.py``) only translate their own formats (flags,
form fields, JSON) to these calls and the answers back, and turn ``MoodreelError`` into
their kind of message; none of them reaches into the objects behind this one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moodreel.catalog import Catalog, load_catalog
from moodreel.errors import MoodreelError
from moodreel.filters import SearchFilters
from moodreel.ingestion.pipeline import ExtractorChoice, IngestSummary
from moodreel.llm.factory import supports_steering
from moodreel.llm.steering import MAX_BETA, Steering, SteeringUnavailable, viewer_vector
from moodreel.mood.base import MoodParse
from moodreel.profiles.history import History, HistoryError, HistoryProblem, read_history
from moodreel.profiles.matching import MatchResult
from moodreel.profiles.profile import ViewerProfile
from moodreel.profiles.viewers import Viewers
from moodreel.query.understanding import Understood
from moodreel.records import StoredTitle
from moodreel.search.describe import describe, finetune_example
from moodreel.search.pitch import PitchChunk
from moodreel.search.recommender import Recommendation, RecommendationSet, Recommender
from moodreel.services import Services

SAMPLE_HISTORY = "viewing_history.csv"

log = logging.getLogger(__name__)


class TitleNotFound(MoodreelError):
    """A title name that matches no catalog title, or several; the message names the closest."""


@dataclass(frozen=True)
class BuiltViewer:
    """A viewer made from a watch history: the profile, the names not matched, the rows skipped."""

    user_id: str
    profile: ViewerProfile
    unmatched: list[MatchResult]
    problems: list[HistoryProblem]


@dataclass(frozen=True)
class Description:
    """One personalized description of a catalog title."""

    title: StoredTitle
    text: str


class Moodreel:
    """The use cases, over the objects of one ``Services`` (a recommender can be handed in, as tests do)."""

    def __init__(self, services: Services, recommender: Recommender | None = None) -> None:
        self._services = services
        self._recommender = recommender

    @property
    def recommender(self) -> Recommender:
        if self._recommender is None:
            self._recommender = Recommender.from_services(self._services)
        return self._recommender

    @property
    def _viewers(self) -> Viewers:
        return self._services.viewers

    # ---- the store -------------------------------------------------------------------
    def title_count(self) -> int:
        return self._services.store.count()

    def warm_up(self) -> None:
        """Load the mood parser and open the store now, not while the first visitor waits."""
        self.recommender.warm_up()
        self.title_count()

    def catalog_to_ingest(self) -> Catalog | None:
        """The bundled catalog when the store is empty or outdated (None when it can serve)."""
        store = self._services.store
        if store.exists() and not store.is_current():
            log.warning("the store was built by an older moodreel: rebuilding it from the catalog")
        elif self.title_count() > 0:
            return None
        return load_catalog(self._services.settings.catalog_file)

    def ingest(
        self,
        catalog: Catalog,
        extractor: ExtractorChoice = "fast",
        progress: Callable[[int], None] | None = None,
    ) -> IngestSummary:
        """Ingest in this process, with the app's own store client (Milvus Lite allows one process per file)."""
        return self._services.ingestor(extractor).run(catalog, extractor, progress=progress)

    # ---- moods and recommendations ---------------------------------------------------
    def understand(self, text: str) -> Understood:
        """What a mood text asks for (feelings wanted and avoided, topics, constraints)."""
        return self.recommender.understand(text).understood

    def parse_mood(self, text: str) -> MoodParse:
        return self.recommender.queries.parser.parse(text)

    def recommend(
        self,
        mood: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        viewer: ViewerProfile | None = None,
        include_watched: bool = False,
        pitch: bool = False,
        drop: list[str] | None = None,
        steer: float = 0.0,
    ) -> RecommendationSet:
        """The titles for a mood, best first; with ``pitch`` every result also gets its pitch.
        ``drop``: what-was-understood chips the viewer removed. ``steer``: β of the pitches'
        steering toward the viewer (``moodreel.llm.steering``; 0 = none)."""
        options = self.llm_options(viewer, steer) if pitch else {}
        result = self.recommender.recommend(mood, k, filters, viewer, include_watched, drop=drop)
        if pitch:
            self.pitch_all(result, viewer, steer, options)
        return result

    def pitch_all(
        self,
        result: RecommendationSet,
        viewer: ViewerProfile | None = None,
        steer: float = 0.0,
        options: dict[str, Any] | None = None,
    ) -> None:
        """Write each result's pitch into it, one after the other (steered by ``steer``)."""
        summary = viewer.summary() if viewer else ""
        if options is None:
            options = self.llm_options(viewer, steer)
        for rec in result.results:
            rec.pitch = self.recommender.pitch(
                rec, result.mood, result.emotions, summary, llm_options=options
            )
        self._save_token_vectors(options)

    # ---- steering --------------------------------------------------------------------
    def llm_options(self, viewer: ViewerProfile | None, steer: float) -> dict[str, Any]:
        """The chat model's extra arguments for a generation steered by ``steer`` toward ``viewer``.

        Empty for ``steer == 0`` (exactly the unsteered path). ``SteeringUnavailable`` when the
        backend has no logits to steer (an endpoint) or the viewer has no taste to steer toward.
        """
        if not steer:
            return {}
        if not 0 < steer <= MAX_BETA:
            raise SteeringUnavailable(f"steer must be between 0 and {MAX_BETA:g}, got {steer:g}")
        s = self._services
        if s.settings.llm_backend != "local" or not supports_steering(s.chat_model):
            raise SteeringUnavailable(
                f"steering needs the local llama.cpp backend: the {s.settings.llm_backend} backend "
                "(an OpenAI-compatible endpoint) gives no access to the logits; drop the steer option "
                "or set MOODREEL_LLM_BACKEND=local"
            )
        if viewer is None:
            raise SteeringUnavailable("steering needs a viewer: give a user (and a history) to steer toward")
        vector = viewer_vector(viewer.taste, s.embedder.dimension)
        if vector is None:
            raise SteeringUnavailable("steering needs a viewer who liked or disliked a catalog title")
        return {"steering": Steering(vector, steer, s.token_vectors)}

    def _save_token_vectors(self, options: dict[str, Any]) -> None:
        if "steering" in options:
            options["steering"].cache.save()

    def stream_pitch(
        self, rec: Recommendation, result: RecommendationSet, viewer: ViewerProfile | None = None
    ) -> Iterator[PitchChunk]:
        """One result's pitch as it is written (a template with a notice if the LLM fails)."""
        summary = viewer.summary() if viewer else ""
        return self.recommender.stream_pitch(rec, result.mood, result.emotions, summary)

    # ---- viewers ---------------------------------------------------------------------
    def viewer_from_history(self, history: History, user_id: str | None = None) -> BuiltViewer:
        """The viewer ``user_id`` of ``history`` (or its only viewer), profiled and kept."""
        uid = (user_id or "").strip()
        if not uid:
            users = history.users()
            if len(users) != 1:
                raise HistoryError(f"this history has {len(users)} viewers: say which one you are")
            uid = users[0]
        profile, unmatched = self._viewers.build(uid, history.for_user(uid))
        return BuiltViewer(uid, profile, unmatched, list(history.problems))

    def viewers_from_history(self, history: History, users: list[str]) -> dict[str, BuiltViewer]:
        """``viewer_from_history`` for many viewers at once (one store read for all of them)."""
        built = self._viewers.build_many({uid: history.for_user(uid) for uid in users})
        return {
            uid: BuiltViewer(uid, p, unmatched, list(history.problems))
            for uid, (p, unmatched) in built.items()
        }

    def load_viewer(self, user_id: str) -> ViewerProfile:
        """The kept profile of a viewer (``HistoryError`` if there is none)."""
        return self._viewers.load(user_id)

    def vote(self, user_id: str, title_id: str, vote: int) -> ViewerProfile:
        """👍 (+1) or 👎 (-1) on a title; the viewer's updated profile."""
        return self._viewers.vote(user_id, title_id, vote)

    def sample_history(self) -> History | None:
        """The shipped sample watch history (``data_dir/viewing_history.csv``), if there is one."""
        path: Path = self._services.settings.data_dir / SAMPLE_HISTORY
        return read_history(path) if path.exists() else None

    # ---- descriptions ----------------------------------------------------------------
    def find_title(self, name: str) -> StoredTitle:
        """The catalog title called ``name`` (fuzzy); ``TitleNotFound`` names the closest ones."""
        matcher = self._viewers.matcher
        match = matcher.match(name)
        if match.id is None:
            if match.status == "ambiguous":
                raise TitleNotFound(f"{name!r} could be several titles: {'; '.join(match.candidates)}")
            closest = match.candidates or matcher.closest(name)
            raise TitleNotFound(f"no title {name!r} in the catalog; closest: {'; '.join(closest) or 'none'}")
        return self._services.store.get([match.id])[0]

    def describe(self, title: StoredTitle, viewer: ViewerProfile, steer: float = 0.0) -> str:
        """A personalized description of ``title`` for ``viewer`` (no mood), steered by ``steer``."""
        s = self._services
        options = self.llm_options(viewer, steer)
        text = describe(
            s.chat_model,
            s.prompt("pitch"),
            title,
            viewer,
            s.credits.get(title.id),
            s.settings.pitch_timeout_s,
            s.settings.pitch_temperature,
            llm_options=options,
        )
        self._save_token_vectors(options)
        return text

    def describe_picks(self, viewer: ViewerProfile, k: int, steer: float = 0.0) -> Iterator[Description]:
        """Mood-free picks for a viewer (their taste is the query), each described as it is written.

        Raises ``ProfileError`` (before any description) for a viewer with no taste to go on, and
        ``SteeringUnavailable`` (also before) when ``steer`` cannot be done.
        """
        self.llm_options(viewer, steer)
        recs = self.recommender.recommend_for_viewer(viewer, k).results
        titles = {t.id: t for t in self._services.store.get([r.id for r in recs])}
        return (Description(titles[r.id], self.describe(titles[r.id], viewer, steer)) for r in recs)

    def picks_for_viewer(self, viewer: ViewerProfile, k: int) -> list[StoredTitle]:
        """Mood-free picks for a viewer (their taste is the query), best first, without descriptions."""
        recs = self.recommender.recommend_for_viewer(viewer, k).results
        titles = {t.id: t for t in self._services.store.get([r.id for r in recs])}
        return [titles[r.id] for r in recs]

    def finetune_example(self, title: StoredTitle, viewer: ViewerProfile) -> dict[str, str]:
        """A starter ``{"prompt", "completion"}`` training example for ``moodreel finetune``:
        the describe prompt's user turn, and a house-style description made from the facts."""
        s = self._services
        return finetune_example(s.prompt("pitch"), title, viewer, s.credits.get(title.id))
