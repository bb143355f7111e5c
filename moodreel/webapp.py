"""The Gradio page, built by ``create_app(app)`` over the application layer (``moodreel.application``).

Handlers are plain functions (``search_handler``) so tests can call them without a
server. Every value shown is HTML-escaped: a mood like ``<script>`` is text, never code.
Cards appear as soon as the search is done; pitches then stream into them one by one.
A viewer (a sample from ``data/viewing_history.csv`` or an uploaded history) makes the
search personal; 👍/👎 on a shown title updates that viewer's kept profile.
"""

from __future__ import annotations

import contextlib
import html
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
from pydantic import ValidationError

from moodreel.application import Moodreel
from moodreel.errors import MoodreelError
from moodreel.filters import SearchFilters
from moodreel.profiles.history import History, HistoryError, read_history
from moodreel.search.recommender import RecommendationSet
from moodreel.vibes.lexicon import GENRES

log = logging.getLogger(__name__)

EXAMPLES = [
    "I had a rough week and I need something that makes me laugh",
    "I want to be scared out of my mind tonight",
    "feeling nostalgic and a bit sentimental",
    "something tense and clever, I want to puzzle it out",
    "heartbroken, I want to cry it out",
]
CSS = """
.mr-cards {display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 14px;}
.mr-card {border: 1px solid #ddd; border-radius: 12px; padding: 14px; background: #fff;}
.mr-card h3 {margin: 0 0 4px 0; font-size: 1.1em;}
.mr-meta {color: #666; font-size: .85em;}
.mr-emojis {font-size: 1.6em; margin: 6px 0;}
.mr-chip {display: inline-block; background: #f1f0ff; border-radius: 10px; padding: 1px 8px; margin: 2px; font-size: .8em;}
.mr-why {color: #3a6; font-size: .85em; margin-top: 6px;}
.mr-pitch {margin-top: 8px; font-style: italic;}
.mr-notice {color: #b60; font-size: .8em;}
.mr-feel {margin-bottom: 10px;}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def render_cards(result: RecommendationSet, pitches: dict[str, tuple[str, str]], writing: str | None) -> str:
    """All of the results as HTML cards; ``pitches`` maps id -> (text, notice)."""
    feel = ", ".join(_e(e) for e in result.emotions)
    parts = [
        f'<div class="mr-feel">You said <b class="mr-mood">{_e(result.mood)}</b> — feelings: <b>{feel}</b></div>'
    ]
    if result.relaxed:
        parts.append(
            '<div class="mr-notice mr-relaxed">Few titles meet everything you asked; loosened: '
            f"{_e(', '.join(result.relaxed))}. The closest matches come first.</div>"
        )
    if not result.results:
        parts.append("<p>No titles match these filters. Try fewer filters.</p>")
        return "".join(parts)
    parts.append('<div class="mr-cards">')
    for rec in result.results:
        year = f" · {_e(rec.year)}" if rec.year else ""
        chips = "".join(f'<span class="mr-chip">{_e(e)}</span>' for e in rec.emotions)
        why = f'<div class="mr-why">Why: {_e("; ".join(rec.why))}</div>' if rec.why else ""
        text, notice = pitches.get(rec.id, ("", ""))
        if rec.id == writing and not text:
            text = "writing a pitch…"
        pitch = f'<div class="mr-pitch">{_e(text)}</div>' if text else ""
        notice_html = f'<div class="mr-notice">{_e(notice)}</div>' if notice else ""
        parts.append(
            f'<div class="mr-card" data-id="{_e(rec.id)}"><h3>{_e(rec.title)}</h3>'
            f'<div class="mr-meta">{_e(rec.type.lower())}{year} · {_e(", ".join(rec.genres))} · match {rec.score:.2f}</div>'
            f'<div class="mr-emojis">{_e(rec.emojis)}</div><div>{chips}</div>{why}{pitch}{notice_html}</div>'
        )
    parts.append("</div>")
    return "".join(parts)


@dataclass(frozen=True)
class SearchForm:
    """The search form's fields as Gradio hands them over (numbers may be None, 0 or floats)."""

    mood: str | None
    k: float | None
    type_: str | None
    genres: list[str] | None
    exclude: list[str] | None
    min_year: float | None
    max_year: float | None
    max_runtime: float | None
    drop: tuple[str, ...] = ()  # understood chips the viewer unticked

    def filters(self) -> SearchFilters:
        return build_filters(
            self.type_, self.genres, self.exclude, self.min_year, self.max_year, self.max_runtime
        )


def build_filters(
    type_: str, genres: list[str] | None, exclude: list[str] | None, min_year, max_year, max_runtime
) -> SearchFilters:
    def number(value) -> int | None:
        return int(value) if value not in (None, "", 0) else None

    return SearchFilters(
        type=None if type_ in (None, "", "Any") else type_,
        genres=genres or [],
        exclude_genres=exclude or [],
        min_year=number(min_year),
        max_year=number(max_year),
        max_runtime=number(max_runtime),
    )


def _pages(app: Moodreel, pitch_count: int, form: SearchForm, viewer_id: str | None):
    """(page, result) pairs: the cards first, then once per streamed pitch chunk."""
    try:
        filters = form.filters()
        profile = app.load_viewer(viewer_id) if viewer_id else None
        result = app.recommend(form.mood or "", int(form.k or 10), filters, profile, drop=list(form.drop))
    except ValidationError as exc:
        raise gr.Error("Check the filters: " + "; ".join(e["msg"] for e in exc.errors())) from None
    except MoodreelError as exc:
        raise gr.Error(str(exc)) from None
    pitches: dict[str, tuple[str, str]] = {}
    to_pitch = result.results[:pitch_count]
    yield render_cards(result, pitches, to_pitch[0].id if to_pitch else None), result
    for rec in to_pitch:
        text, notice = "", ""
        for chunk in app.stream_pitch(rec, result, profile):
            text += chunk.text
            notice = chunk.notice or notice
            pitches[rec.id] = (text, notice)
            yield render_cards(result, pitches, rec.id), result


def search_handler(app: Moodreel, pitch_count: int):
    def handler(
        mood, k, type_, genres, exclude, min_year, max_year, max_runtime, viewer_id=None
    ) -> Iterator[str]:
        form = SearchForm(
            mood=mood, k=k, type_=type_, genres=genres, exclude=exclude,
            min_year=min_year, max_year=max_year, max_runtime=max_runtime,
        )  # fmt: skip
        for page, _ in _pages(app, pitch_count, form, viewer_id):
            yield page

    return handler


def _read_and_delete(upload) -> History:
    """An uploaded history, read, then deleted whatever happens: the raw file (user ids, every
    row) must not stay in the upload folder, where the page could serve it back."""
    path = Path(getattr(upload, "name", upload))
    try:
        return read_history(path)
    finally:
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # the upload's own folder, when nothing else is in it


def viewer_handler(app: Moodreel, samples: History | None):
    """Pick a sample viewer or upload a history -> (viewer id, profile summary HTML).
    An uploaded file is deleted once read."""

    def handler(sample: str | None, upload, user_id: str | None) -> tuple[str | None, str]:
        try:
            if upload:
                viewer = app.viewer_from_history(_read_and_delete(upload), user_id)
            elif sample and samples is not None:
                viewer = app.viewer_from_history(samples, sample)
            else:
                return None, "<p>No viewer: results follow your mood only.</p>"
        except MoodreelError as exc:
            raise gr.Error(str(exc)) from None
        notes = f" ({len(viewer.unmatched)} titles not matched, {len(viewer.problems)} rows skipped)"
        summary = viewer.profile.summary() or "no taste yet"
        return viewer.user_id, f"<p>Viewer <b>{_e(viewer.user_id)}</b>: {_e(summary)}{_e(notes)}</p>"

    return handler


def feedback_handler(app: Moodreel):
    """👍 (+1) / 👎 (-1) on a shown title; the next search uses the updated profile."""

    def handler(viewer_id: str | None, title_id: str | None, vote: int) -> str:
        if not viewer_id:
            raise gr.Error("Pick a viewer first.")
        if not title_id:
            raise gr.Error("Pick one of the results to rate.")
        try:
            profile = app.vote(viewer_id, title_id, vote)
        except MoodreelError as exc:
            raise gr.Error(str(exc)) from None
        mark = "👍" if vote > 0 else "👎"
        return f"<p>{mark} noted. Viewer <b>{_e(viewer_id)}</b>: {_e(profile.summary())}</p>"

    return handler


def _sample_history(app: Moodreel) -> History | None:
    try:
        return app.sample_history()
    except HistoryError:
        log.warning("the sample viewing history is unusable", exc_info=True)
        return None


def create_app(app: Moodreel, pitch_count: int = 3, with_viewers: bool = True) -> gr.Blocks:
    """The page; ``with_viewers`` adds the viewer picker and 👍/👎 (mood-only search without)."""
    samples = _sample_history(app) if with_viewers else None
    with gr.Blocks(title="moodreel") as demo:
        gr.HTML(
            "<h1>🎬 moodreel</h1><p>Tell me how you feel; I'll find films and shows with the same vibe.</p>"
        )
        with gr.Row():
            mood = gr.Textbox(
                label="How do you feel?", placeholder=EXAMPLES[0], lines=2, scale=4, elem_id="mood"
            )
            k = gr.Slider(1, 20, value=6, step=1, label="How many", scale=1)
        with gr.Accordion("Filters", open=False):
            with gr.Row():
                type_ = gr.Radio(["Any", "MOVIE", "SHOW"], value="Any", label="Type")
                genres = gr.Dropdown(GENRES, multiselect=True, label="Only these genres")
                exclude = gr.Dropdown(GENRES, multiselect=True, label="Not these genres")
            with gr.Row():
                min_year = gr.Number(label="From year", precision=0)
                max_year = gr.Number(label="To year", precision=0)
                max_runtime = gr.Number(label="Max runtime (min)", precision=0)
        viewer_id = gr.State(None)
        if with_viewers:
            with gr.Accordion("Viewer (personalize with a watch history)", open=False):
                with gr.Row():
                    sample = gr.Dropdown(samples.users() if samples else [], label="Sample viewer")
                    upload = gr.File(label="…or upload a history CSV", file_types=[".csv"])
                    upload_user = gr.Textbox(label="Your user_id in that file")
                use = gr.Button("Use this viewer")
                viewer_status = gr.HTML()
            pick_viewer = viewer_handler(app, samples)
            use.click(
                lambda *args: (*pick_viewer(*args), None),  # the file is gone once read: clear it
                inputs=[sample, upload, upload_user],
                outputs=[viewer_id, viewer_status, upload],
            )
        go = gr.Button("Find my vibe", variant="primary", elem_id="go")
        gr.Examples(EXAMPLES, inputs=[mood])
        understood = gr.CheckboxGroup(
            [], label="What I understood (untick anything I got wrong)", elem_id="understood", visible=False
        )
        all_chips = gr.State([])
        cards = gr.HTML(elem_id="results")
        inputs = [mood, k, type_, genres, exclude, min_year, max_year, max_runtime]
        rated = None
        if with_viewers:
            with gr.Row():
                rated = gr.Dropdown([], label="Rate a result", scale=3)
                up = gr.Button("👍", scale=1)
                down = gr.Button("👎", scale=1)
            feedback_status = gr.HTML()
        outputs = [cards, understood, all_chips] + ([rated] if rated is not None else [])

        def run(form: SearchForm, viewer: str | None, chips: list[str] | None = None):
            for page, result in _pages(app, pitch_count, form, viewer):
                shown = chips if chips is not None else result.understood.chips() if result.understood else []
                kept = [c for c in shown if c not in form.drop]
                out = [page, gr.update(choices=shown, value=kept, visible=bool(shown)), shown]
                if rated is not None:
                    out.append(gr.update(choices=[(r.title, r.id) for r in result.results], value=None))
                yield tuple(out)

        def search(mood, k, type_, genres, exclude, min_year, max_year, max_runtime, viewer=None):
            form = SearchForm(mood, k, type_, genres, exclude, min_year, max_year, max_runtime)
            yield from run(form, viewer)

        def rechip(
            mood, k, type_, genres, exclude, min_year, max_year, max_runtime, ticked, chips, viewer=None
        ):
            drop = tuple(c for c in chips or [] if c not in (ticked or []))
            form = SearchForm(mood, k, type_, genres, exclude, min_year, max_year, max_runtime, drop)
            yield from run(form, viewer, chips)

        with_viewer = [viewer_id] if with_viewers else []
        go.click(search, inputs=[*inputs, *with_viewer], outputs=outputs)
        mood.submit(search, inputs=[*inputs, *with_viewer], outputs=outputs)
        understood.input(rechip, inputs=[*inputs, understood, all_chips, *with_viewer], outputs=outputs)
        if not with_viewers:
            return demo
        vote = feedback_handler(app)
        up.click(lambda v, t: vote(v, t, 1), inputs=[viewer_id, rated], outputs=feedback_status)
        down.click(lambda v, t: vote(v, t, -1), inputs=[viewer_id, rated], outputs=feedback_status)
    return demo
