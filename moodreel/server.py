"""One server: the Gradio page at / and the JSON API at /api (OpenAPI docs at /docs)."""

from __future__ import annotations

import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from fastapi import FastAPI, HTTPException  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field  # noqa: E402

from moodreel.application import Moodreel  # noqa: E402
from moodreel.errors import MoodreelError  # noqa: E402
from moodreel.filters import SearchFilters  # noqa: E402
from moodreel.llm.steering import MAX_BETA, SteeringUnavailable  # noqa: E402
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
    pitch: bool = Field(False, description="Also write a pitch per result (slow on CPU).")
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
    steer: float = Field(
        0.0,
        ge=0,
        le=MAX_BETA,
        description=(
            "Steer the pitches' words toward the viewer by this β (needs pitch, a user_id and the local "
            "LLM; an endpoint backend answers 422)."
        ),
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
    def recommend(body: RecommendRequest) -> RecommendationSet:
        try:
            profile = viewer_profile(body)
            result = app.recommend(
                body.mood,
                body.k,
                body.filters,
                profile,
                body.include_watched,
                pitch=body.pitch,
                steer=body.steer if body.pitch else 0.0,
            )
        except (MoodError, HistoryError, SteeringUnavailable) as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        except MoodreelError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from None
        return result

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
    api = create_api(app, settings)
    log.info("moodreel on http://%s:%d (API docs at /docs)", settings.host, settings.port)
    uvicorn.run(api, host=settings.host, port=settings.port, log_level="warning")
