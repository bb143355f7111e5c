"""The Gradio page, built by ``create_app(recommender)``.

Handlers are plain functions (``search_handler``) so tests can call them without a
server. Every value shown is HTML-escaped: a mood like ``<script>`` is text, never code.
Cards appear as soon as the search is done; pitches then stream into them one by one.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator

import gradio as gr
from pydantic import ValidationError

from moodreel.errors import MoodreelError
from moodreel.search.filters import SearchFilters
from moodreel.search.recommender import RecommendationSet, Recommender

log = logging.getLogger(__name__)

GENRES = [
    "action", "animation", "comedy", "crime", "documentation", "drama", "european", "family",
    "fantasy", "history", "horror", "music", "reality", "romance", "scifi", "sport", "thriller",
    "war", "western",
]  # fmt: skip
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


def search_handler(recommender: Recommender, pitch_count: int):
    def handler(mood, k, type_, genres, exclude, min_year, max_year, max_runtime) -> Iterator[str]:
        try:
            filters = build_filters(type_, genres, exclude, min_year, max_year, max_runtime)
            result = recommender.recommend(mood or "", int(k or 10), filters)
        except ValidationError as exc:
            raise gr.Error("Check the filters: " + "; ".join(e["msg"] for e in exc.errors())) from None
        except MoodreelError as exc:
            raise gr.Error(str(exc)) from None
        pitches: dict[str, tuple[str, str]] = {}
        to_pitch = result.results[:pitch_count]
        yield render_cards(result, pitches, to_pitch[0].id if to_pitch else None)
        for rec in to_pitch:
            text, notice = "", ""
            for chunk in recommender.stream_pitch(rec, result.mood, result.emotions):
                text += chunk.text
                notice = chunk.notice or notice
                pitches[rec.id] = (text, notice)
                yield render_cards(result, pitches, rec.id)

    return handler


def create_app(recommender: Recommender, pitch_count: int = 3) -> gr.Blocks:
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
        go = gr.Button("Find my vibe", variant="primary", elem_id="go")
        gr.Examples(EXAMPLES, inputs=[mood])
        cards = gr.HTML(elem_id="results")
        inputs = [mood, k, type_, genres, exclude, min_year, max_year, max_runtime]
        handler = search_handler(recommender, pitch_count)
        go.click(handler, inputs=inputs, outputs=cards)
        mood.submit(handler, inputs=inputs, outputs=cards)
    return demo
