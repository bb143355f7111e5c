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
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moodreel.catalog import Catalog, load_catalog
from moodreel.credits import Credits
from moodreel.errors import MoodreelError
from moodreel.filters import SearchFilters
from moodreel.ingestion.pipeline import ExtractorChoice, IngestSummary
from moodreel.llm.factory import supports_steering
from moodreel.llm.steering import MAX_BETA, Steering, SteeringUnavailable, viewer_vector
from moodreel.memo import Memo
from moodreel.mood.base import MoodParse
from moodreel.poster.card import PosterFacts
from moodreel.profiles.history import History, HistoryError, HistoryProblem, read_history
from moodreel.profiles.imports import Format, read_export
from moodreel.profiles.matching import MatchResult
from moodreel.profiles.profile import ViewerProfile
from moodreel.profiles.viewers import Viewers
from moodreel.query.feeling_genres import FeelingGenres
from moodreel.query.refine import FollowUp, refine, start, toward
from moodreel.query.saved import MAX_SAVED, SavedSearch, SavedSearches, new_first
from moodreel.query.understanding import Understood
from moodreel.records import StoredTitle
from moodreel.search.describe import describe, finetune_example
from moodreel.search.pitch import PitchChunk, pitch_facts
from moodreel.search.recommender import (
    JourneyResult,
    LikeResult,
    Recommendation,
    RecommendationSet,
    Recommender,
)
from moodreel.search.tagline import template_tagline
from moodreel.services import Services

SAMPLE_HISTORY = "viewing_history.csv"
_BARE_YEAR = re.compile(r"^(.*\S)\s*[,-]?\s+(\d{4})$")


def _without(result: RecommendationSet, hidden: set[str], k: int) -> RecommendationSet:
    """``result`` without the titles a viewer marked "Not interested", cut to ``k``."""
    kept = [r for r in result.results if r.id not in hidden][:k]
    return result if kept == result.results else result.model_copy(update={"results": kept})


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
class Imported:
    """What an export gave: its kind, and the viewers made from it."""

    format: str
    viewers: list[BuiltViewer]

    def as_dict(self) -> dict[str, Any]:
        """The JSON the CLI (``import --json``) and the API (``POST /api/viewers``) print."""
        return {
            "viewers": [
                {
                    "user_id": v.user_id,
                    "format": self.format,
                    "matched": len(v.profile.watched),
                    "unmatched": [str(m) for m in v.unmatched],
                    "skipped": [str(p) for p in v.problems],
                    "summary": v.profile.summary(),
                }
                for v in self.viewers
            ]
        }


class RefinedSet(RecommendationSet):
    """A search's results with the state its follow-ups left (``follow_up``; None before any)."""

    follow_up: FollowUp | None = None


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
        self._taglines: Memo[tuple[str, str, str], str] = Memo(2000)
        self._stopping = threading.Event()
        self._feeling_genres: FeelingGenres | None = None

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

    def pitch_wait_s(self) -> float | None:
        """About how long a pitch asked now waits for the LLM (other searches' pitches being
        written): 0 when it would start at once; None when nothing says (no model loaded yet,
        or an endpoint, whose queue is its own)."""
        model = self._services.loaded_chat_model()
        expected = getattr(model, "expected_wait_s", None)
        return expected() if callable(expected) else None

    def warm_up_pitches(self) -> None:
        """Load the LLM and cache the pitch prompt's start (seconds; a failure is only logged:
        pitches then fall back to templates with a notice)."""
        try:
            self.recommender.warm_up_pitches()
        except Exception as exc:  # noqa: BLE001 - a warm-up must never stop the app
            log.warning("the LLM could not be warmed up: %s", exc)

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
        hidden = self._hidden([viewer] if viewer else [])
        result = self.recommender.recommend(
            mood, k + len(hidden), filters, viewer, include_watched, drop=drop
        )
        result = _without(result, hidden, k)
        if pitch:
            self.pitch_all(result, viewer, steer=steer, options=options)
        return result

    def recommend_together(
        self,
        mood: str,
        viewers: dict[str, ViewerProfile],
        k: int = 10,
        filters: SearchFilters | None = None,
        include_watched: bool = False,
        drop: list[str] | None = None,
    ) -> RecommendationSet:
        """Picks for several viewers at once (names -> profiles): no one's dislikes, each
        pick says whom it fits. One viewer is an ordinary personalized ``recommend``."""
        if not viewers:
            raise HistoryError("watching together needs at least one viewer")
        if len(viewers) == 1:
            (profile,) = viewers.values()
            return self.recommend(mood, k, filters, profile, include_watched, drop=drop)
        hidden = self._hidden(list(viewers.values()))
        together = self.recommender.together(
            mood, dict(viewers), k + len(hidden), filters, include_watched, drop
        )
        return _without(together, hidden, k)

    # ---- follow-ups ------------------------------------------------------------------
    def follow_up(
        self,
        mood: str,
        follow_ups: list[str],
        k: int = 10,
        filters: SearchFilters | None = None,
        viewer: ViewerProfile | None = None,
        include_watched: bool = False,
        state: FollowUp | None = None,
        shown: list[str] | None = None,
    ) -> RefinedSet:
        """The search for ``mood`` refined by each of ``follow_ups`` in turn ("less violent",
        "only movies", "more like the second one"; ``query.refine``), without pitches.

        ``state`` (a previous answer's ``follow_up``, or just its ``understood`` wrapped by
        ``refine.start``) and ``shown`` (the ids of the cards it showed, in order) continue a
        search already made; without them the mood is searched first."""
        if state is None:
            first = self.recommend(mood, k, filters, viewer, include_watched)
            state = start(first.understood or Understood())
            shown = [r.id for r in first.results]
        result = RefinedSet(mood=mood, emotions=state.understood.feelings, results=[], follow_up=state)
        found = {t.id: t for t in self._services.store.get(shown)} if shown else {}
        cards = [found[i] for i in shown or [] if i in found]  # in the order they were shown
        if self._feeling_genres is None:  # one read of the catalog's genres and feelings
            fields = ["id", "title", "type", "genres", "emotions"]
            self._feeling_genres = FeelingGenres(self._services.store.all_titles(fields))
        for text in follow_ups:
            state = refine(state, text, cards, self._feeling_genres.carrying)
            result = self.search_follow_up(mood, state, k, filters, viewer, include_watched)
            cards = [r.stored for r in result.results if r.stored is not None]
        return result

    def search_follow_up(
        self,
        mood: str,
        state: FollowUp,
        k: int = 10,
        filters: SearchFilters | None = None,
        viewer: ViewerProfile | None = None,
        include_watched: bool = False,
    ) -> RefinedSet:
        """The results of a refined search as it stands (``state``: see ``follow_up``)."""
        recommender = self.recommender
        query = recommender.queries.rebuild(state.understood)
        if state.near:
            seeds = self._services.store.vectors(state.near)
            query = toward(query, [seeds[i] for i in state.near if i in seeds], self._services.layout)
        skip = set(state.exclude) | set(state.near) | self._hidden([viewer] if viewer else [])
        relaxed: list[str] = []
        found = recommender.search_query(
            query, k + len(skip), filters, viewer, include_watched, relaxed=relaxed
        )
        return RefinedSet(
            mood=mood,
            emotions=query.feelings,
            results=[r for r in found if r.id not in skip][:k],
            understood=query.understood,
            relaxed=relaxed,
            follow_up=state,
        )

    def like(
        self,
        title: str | None = None,
        k: int = 10,
        mood: str | None = None,
        title_id: str | None = None,
        filters: SearchFilters | None = None,
    ) -> LikeResult:
        """More like one title, named (forgiving: case, accents, punctuation, a year) or by id,
        optionally steered by a mood ("but funnier"). ``TitleNotFound`` names close matches."""
        if title_id:
            found = self._services.store.get([title_id])
            if not found:
                raise TitleNotFound(f"no title with id {title_id!r} in the catalog")
            seed = found[0]
        elif title and title.strip():
            seed = self.find_title(title)
        else:
            raise TitleNotFound("say which title: give its name or its id")
        return self.recommender.like(seed, k, mood, filters)

    def journey(self, start: str, end: str, steps: int = 3) -> JourneyResult:
        """Titles, in order, that walk from the mood ``start`` to the mood ``end``."""
        return self.recommender.journey(start, end, steps)

    def pitch_all(
        self,
        result: RecommendationSet,
        viewer: ViewerProfile | None = None,
        cancelled: Callable[[], bool] | None = None,
        steer: float = 0.0,
        options: dict[str, Any] | None = None,
    ) -> None:
        """Write each result's tagline and pitch into it, in order (the pitches of one search
        share their prompt's start, which the LLM reuses; steered by ``steer``). Stops early
        once ``cancelled``."""
        if options is None:
            options = self.llm_options(viewer, steer)
        try:
            text = ""
            for rec, chunk in self.stream_pitches(result, result.results, viewer, cancelled, options):
                text += chunk.text
                if chunk.done:
                    rec.pitch, rec.tagline = text.strip(), chunk.tagline
                    text = ""
        finally:
            self._save_token_vectors(options)

    def stream_pitches(
        self,
        result: RecommendationSet,
        recs: list[Recommendation],
        viewer: ViewerProfile | None = None,
        cancelled: Callable[[], bool] | None = None,
        options: dict[str, Any] | None = None,
    ) -> Iterator[tuple[Recommendation, PitchChunk]]:
        """``recs``' taglines and pitches, one after the other, as (result, chunk) pairs (see
        ``stream_pitch``). While one is written the LLM reads the next one's prompt (with a
        second llama.cpp context), so each later pitch starts writing at once. Ends early,
        without a ``done`` chunk for the pitch being written, once ``cancelled``."""
        summary = viewer.summary() if viewer else ""
        openings: list[str] = []  # the first words of this search's pitches: no two open alike
        for rec, ahead in zip(recs, [*recs[1:], None]):

            def read_next(ahead: Recommendation | None = ahead) -> None:
                # this pitch has read its prompt and writes: the next one is read on another context
                if ahead is not None:
                    self.recommender.read_pitch_ahead(ahead, result.mood, result.emotions, summary)

            chunks = self.stream_pitch(
                rec, result, viewer, cancelled, options, started=read_next, openings=openings
            )
            for chunk in chunks:
                yield rec, chunk

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
        self,
        rec: Recommendation,
        result: RecommendationSet,
        viewer: ViewerProfile | None = None,
        cancelled: Callable[[], bool] | None = None,
        options: dict[str, Any] | None = None,
        started: Callable[[], None] | None = None,
        openings: list[str] | None = None,
    ) -> Iterator[PitchChunk]:
        """One result's tagline and pitch as they are written (templates with a notice if the
        LLM fails). The final tagline is kept for this title's poster (``poster``).
        ``options``: the chat model's extra arguments (``llm_options``: steering);
        ``started``: called once the LLM's first words arrive; ``openings``: the search's
        pitches' first words so far (``stream_pitches`` keeps one list per search)."""
        summary = viewer.summary() if viewer else ""
        for chunk in self.recommender.stream_pitch(
            rec,
            result.mood,
            result.emotions,
            summary,
            cancelled=self._cancelled(cancelled),
            llm_options=options,
            started=started,
            openings=openings,
        ):
            if chunk.done and chunk.tagline:
                self._taglines.keep((rec.id, result.mood, viewer.pid if viewer else ""), chunk.tagline)
            yield chunk

    def stop_writing(self) -> None:
        """The process is stopping: every pitch being written ends at its next token."""
        self._stopping.set()

    def _cancelled(self, cancelled: Callable[[], bool] | None) -> Callable[[], bool]:
        return lambda: self._stopping.is_set() or (cancelled is not None and cancelled())

    # ---- posters ---------------------------------------------------------------------
    def poster(self, title_id: str, mood: str = "", viewer: ViewerProfile | None = None) -> bytes:
        """The poster card of a title: PNG (or the images endpoint's picture), made once.

        The tagline is the one written with this mood and viewer's pitch, or else a template
        from the title's feelings and the mood's. ``TitleNotFound`` for an unknown id.
        """
        found = self._services.store.get([title_id])
        if not found:
            raise TitleNotFound(f"no title with id {title_id!r} in the catalog")
        title = found[0]
        tagline = self._taglines.get((title_id, mood, viewer.pid if viewer else ""))
        if tagline is None:
            wanted = self.recommender.understand(mood).feelings if mood.strip() else []
            tagline = template_tagline(pitch_facts(title, Credits()), wanted)
        return self._services.posters.make(
            PosterFacts(
                title=title.title,
                tagline=tagline,
                emojis=title.emojis,
                feelings=tuple(title.emotions),
                genres=tuple(title.genres),
                year=title.release_year,
                kind="series" if title.type == "SHOW" else "film",
            )
        )

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
        """👍 (+1) or 👎 (-1) on a title, or 0 to undo the viewer's vote; the updated profile."""
        if not self._services.store.get([title_id]):
            raise TitleNotFound(f"no title with id {title_id!r} in the catalog")
        return self._viewers.vote(user_id, title_id, vote)

    # ---- saved searches --------------------------------------------------------------
    def _saved(self, user_id: str) -> SavedSearches:
        return SavedSearches.model_validate(self._viewers.saved(user_id) or {})

    def saved_searches(self, user_id: str) -> list[SavedSearch]:
        """A kept viewer's saved searches, by name."""
        return [s for _, s in sorted(self._saved(user_id).searches.items())]

    def save_search(
        self,
        user_id: str,
        name: str,
        mood: str,
        state: FollowUp,
        shown: list[str],
        filters: SearchFilters | None = None,
        k: int = 10,
    ) -> SavedSearch:
        """Keep a search (``state``: its understanding and follow-ups; ``shown``: the ids it showed)
        under ``name`` for a kept viewer; the same name replaces the old one."""
        saved = self._saved(user_id)
        search = SavedSearch(
            name=name, mood=mood, follow_up=state, filters=filters or SearchFilters(), k=k, shown=shown
        )
        if search.name not in saved.searches and len(saved.searches) >= MAX_SAVED:
            raise HistoryError(f"a viewer keeps at most {MAX_SAVED} saved searches: delete one first")
        saved.searches[search.name] = search
        self._viewers.save_saved(user_id, saved.model_dump(mode="json"))
        return search

    def open_saved(self, user_id: str, name: str) -> RefinedSet:
        """Re-run a saved search against today's catalog and taste, titles it did not show before first."""
        saved = self._saved(user_id)
        search = saved.searches.get(name.strip())
        if search is None:
            names = ", ".join(sorted(saved.searches)) or "none"
            raise HistoryError(f"no saved search {name!r} for viewer {user_id!r}; saved: {names}")
        viewer = self.load_viewer(user_id)
        result = self.search_follow_up(search.mood, search.follow_up, search.k, search.filters, viewer)
        order = {i: n for n, i in enumerate(new_first([r.id for r in result.results], search.shown))}
        result = result.model_copy(update={"results": sorted(result.results, key=lambda r: order[r.id])})
        saved.searches[search.name] = search.model_copy(update={"shown": [r.id for r in result.results]})
        self._viewers.save_saved(user_id, saved.model_dump(mode="json"))
        return result

    def not_interested(self, user_id: str, title_id: str, undo: bool = False) -> list[str]:
        """Hide a title from a kept viewer's searches for good ("Not interested"), or ``undo`` it;
        the ids now hidden. ``forget-user`` removes the list with everything else."""
        if not self._services.store.get([title_id]):
            raise TitleNotFound(f"no title with id {title_id!r} in the catalog")
        return self._viewers.hide(user_id, title_id, hide=not undo)

    def _hidden(self, viewers: list[ViewerProfile]) -> set[str]:
        return {i for v in viewers for i in self._viewers.hidden(v.pid)}

    def import_history(
        self, path: Path | str, user_id: str | None = None, format: Format = "auto", name: str = ""
    ) -> Imported:
        """Viewers from an export of Netflix, Letterboxd, IMDb, Trakt or moodreel's own CSV
        (``profiles.imports``), profiled and kept: the one named ``user_id``, or every viewer
        the file names (a ``ViewingActivity.csv`` names one per Netflix profile). Each import
        replaces what was kept from that viewer's history before (their 👍/👎 stay)."""
        export = read_export(path, user_id, format, name)
        history = export.history
        users = [user_id] if user_id else history.users()
        if not users:
            raise HistoryError(f"no usable rows in {name or path}: {len(history.problems)} skipped")
        return Imported(export.kind, list(self.viewers_from_history(history, users).values()))

    def sample_history(self) -> History | None:
        """The shipped sample watch history (``data_dir/viewing_history.csv``), if there is one."""
        path: Path = self._services.settings.data_dir / SAMPLE_HISTORY
        return read_history(path) if path.exists() else None

    # ---- descriptions ----------------------------------------------------------------
    def find_title(self, name: str) -> StoredTitle:
        """The catalog title called ``name`` (fuzzy); ``TitleNotFound`` names the closest ones."""
        matcher = self._viewers.matcher
        match = matcher.match(name)
        bare = _BARE_YEAR.match(name.strip())
        if match.id is None and bare:  # "Inception 2010" as "Inception (2010)"
            with_year = matcher.match(f"{bare.group(1)} ({bare.group(2)})")
            match = with_year if with_year.id is not None else match
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
