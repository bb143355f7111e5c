"""One server: the Gradio page at / and the JSON API at /api (OpenAPI docs at /docs)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import asyncio  # noqa: E402
import threading  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Annotated, TypeVar  # noqa: E402

from fastapi import FastAPI, Form, HTTPException, Query, Request, Response, UploadFile  # noqa: E402
from fastapi import Path as PathParam  # noqa: E402
from fastapi.exceptions import RequestValidationError  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from pydantic import (  # noqa: E402
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)
from starlette.concurrency import run_in_threadpool  # noqa: E402
from starlette.routing import Match  # noqa: E402

from moodreel.application import Moodreel, RefinedSet, TitleNotFound  # noqa: E402
from moodreel.errors import MoodreelError, ProfileLimitError  # noqa: E402
from moodreel.filters import SearchFilters  # noqa: E402
from moodreel.http_guards import (  # noqa: E402
    BasicAuthGuard,
    BodySizeGuard,
    UploadGuard,
    short_validation_error,
    unprocessable,
)
from moodreel.json_types import Number, Whole  # noqa: E402
from moodreel.llm.steering import MAX_BETA, SteeringUnavailable  # noqa: E402
from moodreel.mood.base import MoodError  # noqa: E402
from moodreel.profiles.history import HistoryError, parse_history  # noqa: E402
from moodreel.profiles.imports import Format  # noqa: E402
from moodreel.profiles.profile import ViewerProfile  # noqa: E402
from moodreel.query.refine import FollowUp, FollowUpError, checked, checked_follow_up, start  # noqa: E402
from moodreel.query.understanding import Understood  # noqa: E402
from moodreel.records import LIMITS, TITLE_ID_PATTERN  # noqa: E402
from moodreel.search.journey import MAX_STEPS, JourneyError  # noqa: E402
from moodreel.search.recommender import JourneyResult, LikeResult, RecommendationSet  # noqa: E402
from moodreel.settings import Settings  # noqa: E402

log = logging.getLogger(__name__)

MAX_HISTORY_ROWS = 5000


# an understanding or follow-up state sent back by a client: known genres, bounded lists
def _strict(model: type[BaseModel]) -> BeforeValidator:
    """JSON types exactly (no ``false`` for a year, no ``"5"`` for a number, but ``1990.0`` is
    1990, as JSON Schema says): the model's own number fields refuse text and booleans."""
    return BeforeValidator(lambda v: model.model_validate(v) if isinstance(v, dict) else v)


SentUnderstood = Annotated[Understood, _strict(Understood), AfterValidator(checked)]
SentFollowUp = Annotated[FollowUp, _strict(FollowUp), AfterValidator(checked_follow_up)]
FollowUpText = Annotated[str, StringConstraints(min_length=1, max_length=500)]
ShownId = Annotated[str, StringConstraints(min_length=1, max_length=LIMITS.id, pattern=TITLE_ID_PATTERN)]
# one history row: content_name, rating, watch_time_minutes (and room for a few extra columns)
HistoryValue = Annotated[str, StringConstraints(max_length=500)] | float | int | None
HistoryRow = Annotated[
    dict[Annotated[str, StringConstraints(max_length=64)], HistoryValue], Field(max_length=8)
]


# What the schema says beside the fields: ``users`` (kept viewers watching together) goes alone,
# and a ``history`` needs the ``user_id`` it belongs to.
_RECOMMEND_RULES = {
    "not": {"anyOf": [{"required": ["users", "user_id"]}, {"required": ["users", "history"]}]},
    "anyOf": [{"not": {"required": ["history"]}}, {"required": ["user_id"]}],
}


class RecommendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra=_RECOMMEND_RULES)

    mood: str = Field(min_length=1, max_length=10_000, description="How you feel, in your own words.")
    k: Whole = Field(10, ge=1, le=50)
    filters: SearchFilters = Field(default_factory=SearchFilters)
    pitch: StrictBool = Field(False, description="Also write a tagline and a pitch per result (slow on CPU).")
    user_id: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Personalize for this viewer (kept only as a pseudonym).",
    )
    history: list[HistoryRow] | None = Field(
        None,
        max_length=MAX_HISTORY_ROWS,
        description="The viewer's watch history: rows of content_name, rating (0-5), watch_time_minutes.",
    )
    include_watched: StrictBool = Field(False, description="Keep titles the viewer has already watched.")
    users: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] | None = Field(
        None,
        min_length=1,
        max_length=10,
        description="Viewers watching together (kept profiles): tastes blended, no one's dislikes.",
    )

    steer: Number = Field(
        0.0,
        ge=0,
        le=MAX_BETA,
        description=(
            "Steer the pitches' words toward the viewer by this β (needs pitch, a user_id and the local "
            "LLM; an endpoint backend answers 422)."
        ),
    )

    refine: FollowUpText | Annotated[list[FollowUpText], Field(max_length=10)] | None = Field(
        None,
        description=(
            'Follow-ups that edit the search, in order ("less violent", "only movies", "more like the '
            'second one"); with the previous answer\'s "understood" (or "follow_up") and "shown", they '
            "continue it; without, the mood is searched first. No pitches unless asked."
        ),
    )
    understood: SentUnderstood | None = Field(None, description="The previous answer's understood request.")
    follow_up: SentFollowUp | None = Field(
        None, description="The previous answer's follow_up (keeps 'more like' and 'something else')."
    )
    shown: list[ShownId] | None = Field(
        None, max_length=100, description="The ids of the cards the previous answer showed, in order."
    )

    def follow_ups(self) -> list[str]:
        """``refine`` as a list (one follow-up may come as a string)."""
        return [self.refine] if isinstance(self.refine, str) else list(self.refine or [])


class LikeRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        allow_inf_nan=False,
        json_schema_extra={"oneOf": [{"required": ["title"]}, {"required": ["id"]}]},
    )

    # a string when given (not null): the schema's oneOf says "title or id" by which is present
    title: str = Field(None, min_length=1, max_length=512, description="A catalog title (forgiving).")  # type: ignore[assignment]
    id: str = Field(  # type: ignore[assignment]
        None, min_length=1, max_length=LIMITS.id, pattern=TITLE_ID_PATTERN, description="A catalog id."
    )
    k: Whole = Field(10, ge=1, le=50)
    mood: str | None = Field(None, max_length=10_000, description='Steer the picks ("but funnier").')

    @model_validator(mode="after")
    def _title_or_id(self) -> LikeRequest:
        if (self.title is None) == (self.id is None):
            raise ValueError("give a title or id (one of them)")
        return self


class JourneyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)

    from_: str = Field(alias="from", min_length=1, max_length=10_000, description="How you feel now.")
    to: str = Field(min_length=1, max_length=10_000, description="How you want to feel.")
    steps: Whole = Field(3, ge=1, le=MAX_STEPS)


class VoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    user_id: str = Field(min_length=1, max_length=200)
    id: str = Field(
        min_length=1, max_length=LIMITS.id, pattern=TITLE_ID_PATTERN, description="The title's catalog id."
    )
    vote: Whole = Field(ge=-1, le=1, description="1 👍, -1 👎, 0 undo.")


class Problem(BaseModel):
    """Every error but a validation error: ``{"detail": "what went wrong"}``."""

    detail: str


class FieldProblem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problems(BaseModel):
    """A 422: each bad field named (``loc``), at most 10, never the value sent."""

    detail: list[FieldProblem]


def errors(*codes: int) -> dict[int | str, dict]:
    """OpenAPI ``responses`` for these error codes (401 needs MOODREEL_AUTH; 413 a body over the cap)."""
    said = {
        400: "A body that is not JSON, or a malformed Content-Length.",
        401: "Login required (MOODREEL_AUTH is set).",
        404: "No such title or viewer.",
        413: "The request body is over MOODREEL_MAX_REQUEST_BYTES.",
        422: "Invalid values, each named by its field.",
        503: "The store or the language model is not available.",
        507: "The server keeps no more new viewers (MOODREEL_MAX_PROFILES).",
    }
    return {
        code: {"model": Problems if code == 422 else Problem, "description": said[code]} for code in codes
    }


class NotInterestedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=200)
    id: str = Field(
        min_length=1, max_length=LIMITS.id, pattern=TITLE_ID_PATTERN, description="The title's catalog id."
    )
    undo: StrictBool = Field(False, description="Show the title to this viewer again.")


class NotInterestedResult(BaseModel):
    user_id: str
    hidden: list[str] = Field(description="Every title hidden for this viewer, oldest first.")


class SaveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    user_id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=80, description="What to call the search.")
    mood: str = Field(min_length=1, max_length=10_000)
    understood: SentUnderstood | None = Field(None, description="The answer's understood request.")
    follow_up: SentFollowUp | None = Field(None, description="The answer's follow_up (wins over understood).")
    shown: list[ShownId] = Field(
        default_factory=list, max_length=100, description="The ids the answer showed."
    )
    filters: SearchFilters = Field(default_factory=SearchFilters)
    k: Whole = Field(10, ge=1, le=50)


class OpenSavedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=80)


class VoteResult(BaseModel):
    user_id: str
    liked: list[str]
    disliked: list[str]
    summary: str


T = TypeVar("T")


async def while_connected(request: Request, work: Callable[[threading.Event], T], poll_s: float = 0.5) -> T:
    """Run ``work(gone)`` in a worker thread; ``gone`` is set once the client disconnects,
    so long work (pitches) can stop instead of writing for no one."""
    gone = threading.Event()
    task = asyncio.ensure_future(run_in_threadpool(work, gone))
    while not task.done():
        await asyncio.wait({task}, timeout=poll_s)
        if not task.done() and await request.is_disconnected():
            gone.set()
    return task.result()


def image_type(image: bytes) -> str:
    return (
        "image/jpeg"
        if image.startswith(b"\xff\xd8")
        else "image/webp"
        if image.startswith(b"RIFF")
        else "image/png"
    )


class GuardedAPI(FastAPI):
    """FastAPI with the declared-size check outermost: Starlette's own body limit, which sits
    outside every user middleware, answers a Content-Length over the cap in plain text; this
    answers it first, in JSON, unread. (A chunked body over the cap is stopped as it arrives by
    FastAPI's ``max_body_size``, already in JSON.)"""

    def build_middleware_stack(self):  # noqa: ANN201 (Starlette's ASGIApp)
        return BodySizeGuard(super().build_middleware_stack(), max_bytes=self.max_body_size)


def create_api(app: Moodreel, settings: Settings, with_ui: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        app.stop_writing()  # shutting down: pitches still being written end at their next token

    api = GuardedAPI(
        title="moodreel",
        version="0.1.0",
        description="Mood-based film and TV recommendations.",
        max_body_size=settings.max_request_bytes,  # bigger bodies get 413 before anything parses them
        lifespan=lifespan,
    )
    api.add_exception_handler(RequestValidationError, short_validation_error)

    def viewer_profile(body: RecommendRequest) -> ViewerProfile | None:
        if body.user_id is None:
            if body.history is not None:
                raise unprocessable("history needs a user_id", "body", "user_id")
            return None
        if body.history is None:
            return app.load_viewer(body.user_id)
        rows = [{**row, "user_id": body.user_id} for row in body.history]  # the body says whose rows
        read = parse_history(rows, "the request's history", first_line=1)
        if read.problems:
            detail = "; ".join(str(p).replace("line", "history row", 1)[:200] for p in read.problems[:10])
            raise unprocessable(detail, "body", "history")
        return app.viewer_from_history(read, body.user_id).profile

    def answer(call):
        try:
            return call()
        except TitleNotFound as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None
        except (MoodError, HistoryError, JourneyError) as exc:
            raise unprocessable(str(exc)) from None
        except ProfileLimitError as exc:
            raise HTTPException(status_code=507, detail=str(exc)) from None
        except MoodreelError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from None

    @api.get("/api/health", responses=errors(401, 503))
    def health() -> dict:
        """``pitch_wait_s``: about how long a pitch asked now waits for the local LLM (null:
        nothing to go by yet, or an endpoint)."""
        return {"status": "ok", "titles": app.title_count(), "pitch_wait_s": app.pitch_wait_s()}

    @api.post(
        "/api/recommend", response_model=RefinedSet, responses=errors(400, 401, 404, 413, 422, 503, 507)
    )
    async def recommend(body: RecommendRequest, request: Request) -> RecommendationSet:
        def work(gone: threading.Event) -> RecommendationSet:
            if body.refine:
                return refined(gone)
            if body.users is not None:
                if body.user_id is not None or body.history is not None:
                    raise HistoryError("give users, or user_id (and history), not both")
                viewers = {u: app.load_viewer(u) for u in dict.fromkeys(body.users)}
                together = app.recommend_together(
                    body.mood, viewers, body.k, body.filters, body.include_watched
                )
                if body.steer:
                    raise SteeringUnavailable("steer needs one viewer (user_id), not several (users)")
                if body.pitch:
                    app.pitch_all(together, None, cancelled=gone.is_set)
                return together
            profile = viewer_profile(body)
            result = app.recommend(body.mood, body.k, body.filters, profile, body.include_watched)
            if body.pitch:
                app.pitch_all(result, profile, cancelled=gone.is_set, steer=body.steer)
            return result

        def refined(gone: threading.Event) -> RefinedSet:
            if body.users is not None:
                raise FollowUpError("a follow-up refines one viewer's search (user_id), not several (users)")
            profile = viewer_profile(body)
            state = body.follow_up or (start(body.understood) if body.understood is not None else None)
            result = app.follow_up(
                body.mood, body.follow_ups(), body.k, body.filters, profile, body.include_watched,
                state, body.shown,
            )  # fmt: skip
            if body.pitch:
                app.pitch_all(result, profile, cancelled=gone.is_set, steer=body.steer)
            return result

        try:
            return await while_connected(request, work)
        except FollowUpError as exc:
            raise unprocessable(str(exc), "body", "refine") from None
        except MoodError as exc:
            raise unprocessable(str(exc), "body", "mood") from None
        except HistoryError as exc:
            raise unprocessable(str(exc), "body", "users" if body.users is not None else "user_id") from None
        except SteeringUnavailable as exc:
            raise unprocessable(str(exc), "body", "steer") from None
        except ProfileLimitError as exc:
            raise HTTPException(status_code=507, detail=str(exc)) from None
        except MoodreelError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from None

    @api.get(
        "/api/poster/{title_id}",
        response_class=Response,
        responses={
            200: {"content": {"image/png": {}}, "description": "The title's poster card."},
            **errors(401, 404, 422, 503),
        },
    )
    def poster(
        title_id: str = PathParam(
            max_length=LIMITS.id, pattern=TITLE_ID_PATTERN, description="A title id, as in a result's `id`."
        ),
        mood: str = Query("", max_length=1000, description="The mood whose tagline the poster shows."),
        user_id: str | None = Query(None, max_length=200, description="The viewer whose tagline it shows."),
    ) -> Response:
        try:
            viewer = app.load_viewer(user_id) if user_id else None
            image = app.poster(title_id, mood, viewer)
        except (TitleNotFound, HistoryError) as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None
        except MoodError as exc:
            raise unprocessable(str(exc), "query", "mood") from None
        except ProfileLimitError as exc:
            raise HTTPException(status_code=507, detail=str(exc)) from None
        except MoodreelError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from None
        return Response(
            image, media_type=image_type(image), headers={"Cache-Control": "private, max-age=3600"}
        )

    @api.post("/api/like", response_model=LikeResult, responses=errors(400, 401, 404, 413, 422, 503))
    def like(body: LikeRequest) -> LikeResult:
        """More like one title (by name or id), optionally steered by a mood."""
        return answer(lambda: app.like(body.title, body.k, body.mood, title_id=body.id))

    @api.post(
        "/api/journey",
        response_model=JourneyResult,
        response_model_by_alias=True,
        responses=errors(400, 401, 413, 422, 503),
    )
    def journey(body: JourneyRequest) -> JourneyResult:
        """Titles, in order, from the current mood to the wanted one."""
        return answer(lambda: app.journey(body.from_, body.to, body.steps))

    @api.post("/api/vote", response_model=VoteResult, responses=errors(400, 401, 404, 413, 422, 503, 507))
    def vote(body: VoteRequest) -> VoteResult:
        """👍 (1) or 👎 (-1) on a title for a kept viewer, or 0 to undo; the next search uses it."""
        profile = answer(lambda: app.vote(body.user_id, body.id, body.vote))
        return VoteResult(
            user_id=body.user_id,
            liked=[r.id for r in profile.liked],
            disliked=[r.id for r in profile.disliked],
            summary=profile.summary(),
        )

    @api.post("/api/viewers", responses=errors(400, 401, 404, 413, 422, 503, 507))
    async def viewers(
        file: UploadFile,
        user_id: Annotated[str | None, Form(min_length=1, max_length=200)] = None,
        format: Annotated[Format, Form()] = "auto",
    ) -> dict:
        """A viewer from an exported history (multipart upload: Netflix, Letterboxd, IMDb, Trakt or
        moodreel's CSV; the kind is told by the header): matched, profiled and kept. Says what
        could not be matched or read. The file is read in a private folder and deleted at once."""
        import tempfile

        name = Path(file.filename or "export").name[:200]
        data = await file.read()

        def work() -> dict:
            with tempfile.TemporaryDirectory(prefix="moodreel-import-") as folder:
                path = Path(folder) / "export"
                path.write_bytes(data)
                return answer(lambda: app.import_history(path, user_id, format, name).as_dict())

        return await run_in_threadpool(work)

    @api.post("/api/saved", responses=errors(400, 401, 404, 413, 422, 503, 507))
    def save_search(body: SaveRequest) -> dict:
        """Keep a search (an answer's understood or follow_up, and its ids) under a name for a kept viewer."""
        state = body.follow_up or (start(body.understood) if body.understood is not None else None)
        if state is None:
            raise unprocessable("give the answer's understood (or follow_up) to save", "body", "understood")
        saved = answer(
            lambda: app.save_search(
                body.user_id, body.name, body.mood, state, body.shown, body.filters, body.k
            )
        )
        return saved.model_dump(mode="json")

    @api.get("/api/saved", responses=errors(401, 404, 422, 503))
    def saved_searches(user_id: str = Query(..., min_length=1, max_length=200)) -> list[dict]:
        """A kept viewer's saved searches."""
        return [s.model_dump(mode="json") for s in answer(lambda: app.saved_searches(user_id))]

    @api.post("/api/saved/open", response_model=RefinedSet, responses=errors(400, 401, 404, 413, 422, 503))
    def open_saved(body: OpenSavedRequest) -> RefinedSet:
        """Re-run a saved search against today's catalog and taste: titles it did not show before first."""
        return answer(lambda: app.open_saved(body.user_id, body.name))

    @api.post(
        "/api/not-interested",
        response_model=NotInterestedResult,
        responses=errors(400, 401, 404, 413, 422, 503),
    )
    def not_interested(body: NotInterestedRequest) -> NotInterestedResult:
        """Never show a title to a kept viewer again ("Not interested"), or ``undo`` it."""
        hidden = answer(lambda: app.not_interested(body.user_id, body.id, body.undo))
        return NotInterestedResult(user_id=body.user_id, hidden=hidden)

    @api.api_route(
        "/api/{rest:path}",
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        include_in_schema=False,
    )
    def no_such_route(rest: str, request: Request) -> Response:
        """Under /api/, a known path asked with another method gets 405 (with Allow), any other
        path 404: as JSON, never the page's HTML (the page is mounted at / and would answer)."""
        allowed = sorted(
            method
            for route in api.routes
            if route.matches(request.scope)[0] is Match.PARTIAL  # the path, not the method
            for method in getattr(route, "methods", None) or ()
        )
        if allowed:
            return JSONResponse(
                {"detail": "method not allowed"}, status_code=405, headers={"allow": ", ".join(allowed)}
            )
        return JSONResponse({"detail": "not found"}, status_code=404)

    if with_ui:
        import gradio as gr
        from gradio.utils import get_upload_folder

        from moodreel.webapp import CSS, HEAD, create_app

        upload_dir = Path(get_upload_folder()).resolve()
        blocks = create_app(
            app,
            settings.pitches_per_search,
            upload_dir=upload_dir,
            max_upload_bytes=settings.max_request_bytes,
        )
        # the page's login is the same HTTP Basic check as every other route (below)
        api = gr.mount_gradio_app(
            api,
            blocks,
            path="/",
            css=CSS,
            head=HEAD,
            footer_links=["api"],
            max_file_size=settings.max_request_bytes,
        )
        # Gradio checks that a file named in a request was uploaded (inside its upload folder)
        # only once its Blocks "have launched", which mounted Blocks never do: without this, a
        # request naming /etc/passwd had it copied into the upload folder before any handler ran.
        blocks.has_launched = True
        api.add_middleware(UploadGuard, upload_dir=upload_dir)
    if settings.login is not None:
        user, password = settings.login
        api.add_middleware(BasicAuthGuard, user=user, password=password)  # outermost: runs first
    return api


def ensure_ingested(app: Moodreel, settings: Settings) -> None:
    """Ingest the bundled catalog (shipped vibes + fast extractor, no LLM) if the store is empty."""
    catalog = app.catalog_to_ingest()
    if catalog is None:
        return
    import sys

    from tqdm import tqdm

    log.warning(
        "the store at %s is empty: ingesting %s (a few minutes)", settings.store_uri, settings.catalog_file
    )
    for problem in catalog.problems:
        log.warning("%s: %s", catalog.path, problem)
    with tqdm(total=len(catalog.titles), unit="title", desc="ingest (fast)", file=sys.stderr) as bar:
        summary = app.ingest(catalog, "fast", progress=bar.update)
    log.warning("ingested: %s", summary.as_dict())


SHUTDOWN_GRACE_S = 5


def serve(api: FastAPI, settings: Settings) -> None:
    """Serve ``api`` until SIGTERM or SIGINT, then end the process within seconds; never returns
    (code registered with ``atexit`` still runs).

    Open streams (a page's event stream) and requests still running get ``SHUTDOWN_GRACE_S``,
    then are cancelled. Work already running in a worker thread (a search, an LLM call)
    cannot be interrupted in Python, and the interpreter's own shutdown waits for such
    threads and then tears down the native libraries (gRPC, torch) for several more seconds:
    once uvicorn has stopped and the exit handlers ran, the process ends without either.
    """
    import atexit
    import signal
    import sys

    import uvicorn

    config = uvicorn.Config(
        api,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )
    # uvicorn handles SIGTERM itself, then raises it again once shut down; by then only the
    # exit below is left to do, so the default handler (die at once, no exit handlers) goes
    signal.signal(signal.SIGTERM, lambda *_: None)
    uvicorn.Server(config).run()
    log.info("stopped")
    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


@contextmanager
def private_uploads() -> Iterator[Path]:
    """Send the page's uploads (watch histories) to a folder of this process only (mode 0700),
    removed when the server stops, even by SIGTERM. Enter it before ``create_api``."""
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="moodreel-uploads-")
    previous = os.environ.get("GRADIO_TEMP_DIR")
    os.environ["GRADIO_TEMP_DIR"] = folder  # gradio reads it when the app is built
    atexit.register(shutil.rmtree, folder, True)  # serve() ends the process: this still runs
    try:
        yield Path(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if previous is None:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        else:
            os.environ["GRADIO_TEMP_DIR"] = previous


def quiet_logging() -> None:
    """moodreel's own lines at INFO, every library's at WARNING: Milvus Lite imports faiss, whose
    loader logs three "Could not load library with AVX512 support" lines at INFO that mean
    nothing; transformers draws a "Loading weights" bar for a 90 MB model."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    logging.getLogger("moodreel").setLevel(logging.INFO)
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
        pass


def run_server(settings: Settings, ingest_if_empty: bool = False) -> None:
    from moodreel.services import build_services

    quiet_logging()
    with private_uploads():
        app = Moodreel(build_services(settings))
        if ingest_if_empty:
            ensure_ingested(app, settings)
        log.info("loading the mood reader and the store")
        app.warm_up()
        if settings.pitches_per_search:  # the LLM loads beside the first visitors, not in front of them
            threading.Thread(target=app.warm_up_pitches, name="llm-warm-up", daemon=True).start()
        api = create_api(app, settings)
        log.info("moodreel on http://%s:%d (API docs at /docs)", settings.host, settings.port)
        serve(api, settings)
