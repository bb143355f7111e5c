"""One server: the Gradio page at / and the JSON API at /api (OpenAPI docs at /docs)."""

from __future__ import annotations

import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import asyncio  # noqa: E402
import threading  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import TypeVar  # noqa: E402

from fastapi import FastAPI, HTTPException, Query, Request, Response  # noqa: E402
from fastapi import Path as PathParam  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field  # noqa: E402
from starlette.concurrency import run_in_threadpool  # noqa: E402

from moodreel.application import Moodreel, TitleNotFound  # noqa: E402
from moodreel.errors import MoodreelError  # noqa: E402
from moodreel.filters import SearchFilters  # noqa: E402
from moodreel.mood.base import MoodError  # noqa: E402
from moodreel.profiles.history import HistoryError, parse_history  # noqa: E402
from moodreel.profiles.profile import ViewerProfile  # noqa: E402
from moodreel.search.recommender import RecommendationSet  # noqa: E402
from moodreel.settings import Settings  # noqa: E402

log = logging.getLogger(__name__)


class RecommendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mood: str = Field(min_length=1, max_length=10_000, description="How you feel, in your own words.")
    k: int = Field(10, ge=1, le=50)
    filters: SearchFilters = Field(default_factory=SearchFilters)
    pitch: bool = Field(False, description="Also write a tagline and a pitch per result (slow on CPU).")
    user_id: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Personalize for this viewer (kept only as a pseudonym).",
    )
    history: list[dict[str, str | float | int | None]] | None = Field(
        None,
        max_length=5000,
        description="The viewer's watch history: rows of content_name, rating (0-5), watch_time_minutes.",
    )
    include_watched: bool = Field(False, description="Keep titles the viewer has already watched.")


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


def create_api(app: Moodreel, settings: Settings, with_ui: bool = True) -> FastAPI:
    api = FastAPI(title="moodreel", version="0.1.0", description="Mood-based film and TV recommendations.")

    def viewer_profile(body: RecommendRequest) -> ViewerProfile | None:
        if body.user_id is None:
            if body.history is not None:
                raise HTTPException(status_code=422, detail="history needs a user_id")
            return None
        if body.history is None:
            return app.load_viewer(body.user_id)
        rows = [{"user_id": body.user_id, **row} for row in body.history]
        read = parse_history(rows, "the request's history", first_line=1)
        if read.problems:
            detail = "; ".join(str(p).replace("line", "history row", 1) for p in read.problems[:10])
            raise HTTPException(status_code=422, detail=detail)
        return app.viewer_from_history(read, body.user_id).profile

    @api.get("/api/health")
    def health() -> dict:
        return {"status": "ok", "titles": app.title_count()}

    @api.post("/api/recommend", response_model=RecommendationSet)
    async def recommend(body: RecommendRequest, request: Request) -> RecommendationSet:
        def work(gone: threading.Event) -> RecommendationSet:
            profile = viewer_profile(body)
            result = app.recommend(body.mood, body.k, body.filters, profile, body.include_watched)
            if body.pitch:
                app.pitch_all(result, profile, cancelled=gone.is_set)
            return result

        try:
            return await while_connected(request, work)
        except (MoodError, HistoryError) as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        except MoodreelError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from None

    @api.get(
        "/api/poster/{title_id}",
        response_class=Response,
        responses={200: {"content": {"image/png": {}}, "description": "The title's poster card."}},
    )
    def poster(
        title_id: str = PathParam(max_length=200, description="A title id, as in a result's `id`."),
        mood: str = Query("", max_length=1000, description="The mood whose tagline the poster shows."),
        user_id: str | None = Query(None, max_length=200, description="The viewer whose tagline it shows."),
    ) -> Response:
        try:
            viewer = app.load_viewer(user_id) if user_id else None
            image = app.poster(title_id, mood, viewer)
        except (TitleNotFound, HistoryError) as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None
        except MoodreelError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from None
        return Response(
            image, media_type=image_type(image), headers={"Cache-Control": "private, max-age=3600"}
        )

    if with_ui:
        import gradio as gr

        from moodreel.webapp import CSS, create_app

        auth = None
        if settings.auth is not None:
            user, _, password = settings.auth.get_secret_value().partition(":")
            auth = (user, password)
        blocks = create_app(app, settings.pitches_per_search)
        api = gr.mount_gradio_app(api, blocks, path="/", auth=auth, css=CSS, footer_links=["api"])
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


def run_server(settings: Settings, ingest_if_empty: bool = False) -> None:
    import uvicorn

    from moodreel.services import build_services

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    app = Moodreel(build_services(settings))
    if ingest_if_empty:
        ensure_ingested(app, settings)
    app.warm_up()
    if settings.pitches_per_search:  # the LLM loads beside the first visitors, not in front of them
        threading.Thread(target=app.warm_up_pitches, name="llm-warm-up", daemon=True).start()
    api = create_api(app, settings)
    log.info("moodreel on http://%s:%d (API docs at /docs)", settings.host, settings.port)
    uvicorn.run(api, host=settings.host, port=settings.port, log_level="warning")
