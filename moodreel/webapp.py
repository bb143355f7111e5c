"""The Gradio page, built by ``create_app(app)`` over the application layer (``moodreel.application``).

Handlers are plain functions (``search_handler``) so tests can call them without a
server. Every value shown is HTML-escaped: a mood like ``<script>`` is text, never code.
Cards appear as soon as the search is done; pitches then stream into them one by one.
A viewer (a sample from ``data/viewing_history.csv`` or an uploaded history) makes the
search personal; several sample viewers at once watch together (tastes blended, no one's
dislikes). Every card ends with ``card_actions``: "More like this", 👍/👎 (the viewer's
profile changes at once; undo in the notice) and an IMDb link. Those buttons live in the
cards' HTML, so a small script (``HEAD``) writes "action:id" into a hidden textbox and
clicks a hidden button; ``action_handler`` does the rest. A mood journey has its own
panel. The mood and filters are kept in the page's URL (``?mood=…&k=…``), so a search can
be shared or reloaded. Under the results a follow-up box refines the search ("less violent",
"only movies", "more like the second one": ``refine_handler``), with Undo; a card's "Not
interested" hides the title from that viewer for good (undo in the notice). An uploaded
history may be moodreel's CSV or an export of Netflix, Letterboxd, IMDb or Trakt.
"""

from __future__ import annotations

import contextlib
import html
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import gradio as gr
from gradio.utils import get_upload_folder
from pydantic import ValidationError

from moodreel.application import Moodreel
from moodreel.errors import MoodreelError
from moodreel.filters import SearchFilters
from moodreel.profiles.history import History, HistoryError
from moodreel.profiles.imports import read_export
from moodreel.query.refine import FollowUp, start
from moodreel.search.recommender import Recommendation, RecommendationSet
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
.mr-tagline {margin-top: 8px; font-weight: 600;}
.mr-pitch {margin-top: 4px; font-style: italic;}
.mr-poster {float: right; margin: 0 0 6px 10px; width: 84px; text-align: center; font-size: .7em;}
.mr-poster img {width: 84px; height: 126px; border-radius: 6px; object-fit: cover; display: block;}
.mr-poster-wait {height: 126px; line-height: 126px; background: #f3f3f3; border-radius: 6px; font-size: 1.6em;}
.mr-notice {color: #b60; font-size: .8em;}
.mr-feel {margin-bottom: 10px;}
.mr-actions {margin-top: 10px; display: flex; gap: 6px; flex-wrap: wrap; align-items: center;}
.mr-act {border: 1px solid #ccc; border-radius: 8px; background: #fafafa; padding: 2px 10px; cursor: pointer;}
.mr-act:hover {background: #eee;}
.mr-imdb {font-size: .85em;}
.mr-hidden {display: none !important;}
.mr-gone {display: none;}
"""
IMDB_URL = "https://www.imdb.com/title/{}/"
# The bridge from buttons inside the cards' HTML to Gradio: a click on [data-mr-act] writes
# "action:id:nonce" into the hidden #mr-action textbox and presses the hidden #mr-action-go.
HEAD = """<script>
document.addEventListener('click', (ev) => {
  const b = ev.target.closest('[data-mr-act]');
  if (!b) return;
  ev.preventDefault();
  // "Not interested" hides its card at once; Undo in the notice shows it again
  const cards = document.querySelectorAll('.mr-card[data-id="' + CSS.escape(b.dataset.id || '') + '"]');
  if (b.dataset.mrAct === 'hide') cards.forEach(c => c.classList.add('mr-gone'));
  if (b.dataset.mrAct === 'unhide') cards.forEach(c => c.classList.remove('mr-gone'));
  const box = document.querySelector('#mr-action textarea, #mr-action input');
  const go = document.querySelector('#mr-action-go');
  if (!box || !go) return;
  box.value = b.dataset.mrAct + ':' + b.dataset.id + ':' + Date.now();
  box.dispatchEvent(new Event('input', {bubbles: true}));
  setTimeout(() => go.click(), 80);
});
</script>"""
# After a search, the mood and filters go into the URL (replaceState: no reload).
URL_JS = """(mood, k, type_, genres, exclude, min_year, max_year, max_runtime) => {
  const q = new URLSearchParams();
  if (mood) q.set('mood', mood);
  if (k) q.set('k', k);
  if (type_ && type_ !== 'Any') q.set('type', type_);
  (genres || []).forEach(g => q.append('genre', g));
  (exclude || []).forEach(g => q.append('exclude', g));
  if (min_year) q.set('min_year', min_year);
  if (max_year) q.set('max_year', max_year);
  if (max_runtime) q.set('max_runtime', max_runtime);
  history.replaceState(null, '', '?' + q.toString());
  return [];
}"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


@dataclass
class CardText:
    """What is written for one card so far: tagline, pitch, a notice, and whether it is done."""

    tagline: str = ""
    pitch: str = ""
    notice: str = ""
    done: bool = False


def poster_url(rec_id: str, mood: str, viewer_id: str | None) -> str:
    query = {"mood": mood[:1000]} | ({"user_id": viewer_id} if viewer_id else {})
    return f"/api/poster/{quote(rec_id, safe='')}?{urlencode(query)}"


def _poster(rec, card: CardText, url: str | None) -> str:
    if url is None:
        return ""
    if not card.done:  # the poster shows the tagline: wait until it is written
        return '<div class="mr-poster mr-poster-wait" title="poster coming">🎞️</div>'
    name = re.sub(r"[^\w.-]+", "-", rec.title).strip("-") or "poster"
    return (
        f'<div class="mr-poster"><a href="{_e(url)}" target="_blank" rel="noopener" title="open the poster">'
        f'<img src="{_e(url)}" alt="poster card of {_e(rec.title)}" loading="lazy"></a>'
        f'<a class="mr-download" href="{_e(url)}" download="{_e(name)}.png">download</a></div>'
    )


def render_cards(
    result: RecommendationSet,
    texts: dict[str, CardText],
    writing: str | None,
    posters: Callable[[str], str] | None = None,
    wait_s: float | None = None,
) -> str:
    """All of the results as HTML cards; ``texts`` maps id -> what is written for it so far,
    ``writing`` is the card being written, ``posters`` gives a card's poster URL (none: no poster),
    ``wait_s`` how long its pitch should wait for the LLM (said on the card from ``WAIT_SHOWN_S``)."""
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
        card = texts.get(rec.id, CardText())
        text = card.pitch or (waiting_text(wait_s) if rec.id == writing else "")
        tagline = f'<div class="mr-tagline">{_e(card.tagline)}</div>' if card.tagline else ""
        pitch = f'<div class="mr-pitch">{_e(text)}</div>' if text else ""
        notice_html = f'<div class="mr-notice">{_e(card.notice)}</div>' if card.notice else ""
        poster = _poster(rec, card, posters(rec.id) if posters else None)
        parts.append(
            f'<div class="mr-card" data-id="{_e(rec.id)}">{poster}<h3>{_e(rec.title)}</h3>'
            f'<div class="mr-meta">{_e(rec.type.lower())}{year} · {_e(", ".join(rec.genres))} · match {rec.score:.2f}</div>'
            f'<div class="mr-emojis">{_e(rec.emojis)}</div><div>{chips}</div>{why}{tagline}{pitch}{notice_html}'
            f"{card_actions(rec)}</div>"
        )
    parts.append("</div>")
    return "".join(parts)


# a wait for the LLM shorter than this is not worth a word: the pitch is on its way
WAIT_SHOWN_S = 2.0


def waiting_text(wait_s: float | None) -> str:
    """What a card says before its pitch's first words: the wait when other searches' pitches
    hold the LLM (``Moodreel.pitch_wait_s``)."""
    if wait_s is None or wait_s < WAIT_SHOWN_S:
        return "writing a pitch…"
    return f"your pitches start in ~{round(wait_s)} s (other searches' pitches are being written)"


def card_actions(rec: Recommendation) -> str:
    """The end of a card: "More like this", 👍/👎 and, when the catalog has its id, an IMDb link."""
    rid = _e(rec.id)
    buttons = [
        f'<button class="mr-act mr-like" data-mr-act="like" data-id="{rid}">More like this</button>',
        f'<button class="mr-act mr-up" data-mr-act="up" data-id="{rid}" title="I like this">👍</button>',
        f'<button class="mr-act mr-down" data-mr-act="down" data-id="{rid}" title="Not for me">👎</button>',
        f'<button class="mr-act mr-hide" data-mr-act="hide" data-id="{rid}" '
        'title="Never show me this title again">Not interested</button>',
    ]
    if rec.imdb_id:
        url = IMDB_URL.format(quote(rec.imdb_id))
        buttons.append(f'<a class="mr-imdb" href="{_e(url)}" target="_blank" rel="noopener">IMDb ↗</a>')
    return f'<div class="mr-actions">{"".join(buttons)}</div>'


def render_list(heading: str, result: RecommendationSet) -> str:
    """Cards under a heading (more like a title, a journey); ``heading`` is HTML already escaped."""
    return f'<div class="mr-feel mr-heading">{heading}</div>' + render_cards(result, {}, None)


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


def _viewer_ids(viewer_id: str | list[str] | None) -> list[str]:
    if not viewer_id:
        return []
    return [viewer_id] if isinstance(viewer_id, str) else list(viewer_id)


def _pages(
    app: Moodreel, pitch_count: int, form: SearchForm, viewer_id: str | list[str] | None, posters: bool = True
):
    """(page, result) pairs: the cards first, then once per streamed tagline or pitch chunk.
    Every card (up to ``pitch_count``) gets its pitch, in page order."""
    try:
        filters = form.filters()
        ids = _viewer_ids(viewer_id)
        profile = app.load_viewer(ids[0]) if len(ids) == 1 else None
        k, drop = int(form.k or 10), list(form.drop)
        if len(ids) > 1:
            viewers = {uid: app.load_viewer(uid) for uid in ids}
            result = app.recommend_together(form.mood or "", viewers, k, filters, drop=drop)
        else:
            result = app.recommend(form.mood or "", k, filters, profile, drop=drop)
    except ValidationError as exc:
        raise gr.Error("Check the filters: " + "; ".join(e["msg"] for e in exc.errors())) from None
    except MoodreelError as exc:
        raise gr.Error(str(exc)) from None
    # a poster's tagline is written for one viewer (watching together: for no one in particular)
    urls = (
        (lambda rec_id: poster_url(rec_id, result.mood, ids[0] if len(ids) == 1 else None))
        if posters
        else None
    )
    yield from _with_pitches(app, result, profile, pitch_count, urls)


def _with_pitches(app: Moodreel, result: RecommendationSet, profile, pitch_count: int, urls):
    """(page, result) pairs: the cards, then again after every streamed tagline or pitch chunk."""
    texts: dict[str, CardText] = {}
    to_pitch = result.results[:pitch_count]
    wait = app.pitch_wait_s() if to_pitch else None
    yield render_cards(result, texts, to_pitch[0].id if to_pitch else None, urls, wait), result
    for rec, chunk in app.stream_pitches(result, to_pitch, profile):
        card = texts.setdefault(rec.id, CardText())
        card.pitch += chunk.text
        card.tagline = chunk.tagline or card.tagline
        card.notice = chunk.notice or card.notice
        card.done = chunk.done
        if chunk.done:  # kept on the result too, so Undo can show it again
            rec.pitch, rec.tagline = card.pitch.strip() or None, card.tagline or None
        yield render_cards(result, texts, rec.id, urls), result


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


MAX_UPLOAD_BYTES = 1 << 20


def uploaded_file(upload, upload_dir: Path) -> Path:
    """The path of a file this page received, or ``HistoryError`` before anything is read,
    copied or deleted: the page's upload names a path on the server, and a crafted request
    can name any (``/etc/passwd``, the catalog), so only files inside ``upload_dir`` count."""
    raw = getattr(upload, "name", None) or getattr(upload, "path", None) or upload
    folder = Path(upload_dir).resolve()
    try:
        path = Path(str(raw)).resolve()
    except (OSError, ValueError):
        path = None
    if path is None or folder not in path.parents or not path.is_file():
        raise HistoryError("that upload is not a file this page received: choose the file again")
    return path


def _read_and_delete(
    upload, upload_dir: Path, max_bytes: int = MAX_UPLOAD_BYTES, user_id: str | None = None
) -> History:
    """An uploaded history (moodreel's CSV or another service's export, told by its header),
    read, then deleted whatever happens: the raw file (user ids, every row) must not stay in the
    upload folder, where the page could serve it back. A path outside the upload folder is
    refused unread and untouched. ``user_id`` names the viewer of a one-viewer export."""
    path = uploaded_file(upload, upload_dir)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise HistoryError(
                f"{path.name} is {size:,} bytes: an uploaded history holds at most {max_bytes:,}"
            )
        return read_export(path, (user_id or "").strip() or None, name=path.name).history
    finally:
        path.unlink(missing_ok=True)
        if path.parent != Path(upload_dir).resolve():
            with contextlib.suppress(OSError):
                path.parent.rmdir()  # the upload's own folder, when nothing else is in it
        _drop_placeholders(Path(upload_dir))


def _drop_placeholders(upload_dir: Path) -> None:
    """Gradio's ``File(type="filepath").preprocess`` opens an empty ``tmp*`` file in the upload
    folder for every upload and never uses or removes it: one 0-byte file (and an open file
    handle) an upload. The folder is this process's own, so such files are only those."""
    for leftover in upload_dir.resolve().glob("tmp*"):
        with contextlib.suppress(OSError):
            if leftover.is_file() and not leftover.is_symlink() and leftover.stat().st_size == 0:
                leftover.unlink()


def viewer_handler(
    app: Moodreel, samples: History | None, upload_dir: Path, max_upload_bytes: int = MAX_UPLOAD_BYTES
):
    """Pick sample viewers or upload a history -> (viewer id, or ids watching together; summary HTML).
    An uploaded file is deleted once read; only files inside ``upload_dir`` are read."""

    def handler(
        sample: str | list[str] | None, upload, user_id: str | None
    ) -> tuple[str | list[str] | None, str]:
        picked = _viewer_ids(sample)
        try:
            if upload:
                history = _read_and_delete(upload, upload_dir, max_upload_bytes, user_id)
                built = [app.viewer_from_history(history, user_id)]
            elif picked and samples is not None:
                built = list(app.viewers_from_history(samples, picked).values())
            else:
                return None, "<p>No viewer: results follow your mood only.</p>"
        except MoodreelError as exc:
            raise gr.Error(str(exc)) from None
        lines = []
        for viewer in built:
            notes = f" ({len(viewer.unmatched)} titles not matched, {len(viewer.problems)} rows skipped)"
            summary = viewer.profile.summary() or "no taste yet"
            lines.append(f"<p>Viewer <b>{_e(viewer.user_id)}</b>: {_e(summary)}{_e(notes)}</p>")
        if len(built) > 1:
            lines.insert(0, "<p>Watching together: tastes blended, no one's dislikes.</p>")
            return [v.user_id for v in built], "".join(lines)
        return built[0].user_id, "".join(lines)

    return handler


def feedback_handler(app: Moodreel):
    """👍 (+1) / 👎 (-1) on a shown title, or 0 to undo; the next search uses the updated profile
    (with viewers watching together, every one of them)."""

    def handler(viewer_id: str | list[str] | None, title_id: str | None, vote: int) -> str:
        ids = _viewer_ids(viewer_id)
        if not ids:
            raise gr.Error("Pick a viewer first.")
        if not title_id:
            raise gr.Error("Pick one of the results to rate.")
        try:
            profiles = {uid: app.vote(uid, title_id, vote) for uid in ids}
        except MoodreelError as exc:
            raise gr.Error(str(exc)) from None
        if vote == 0:
            head = "Vote undone."
        else:
            undo = f'<button class="mr-act mr-undo" data-mr-act="undo" data-id="{_e(title_id)}">Undo</button>'
            head = f"{'👍' if vote > 0 else '👎'} noted. {undo}"
        who = "".join(f" Viewer <b>{_e(uid)}</b>: {_e(p.summary())}" for uid, p in profiles.items())
        return '<p class="mr-feedback">' + head + who + "</p>"

    return handler


def action_handler(app: Moodreel):
    """A card's button ("like:ID", "up:ID", "down:ID", "undo:ID", then a nonce) -> (cards, notice)."""
    vote = feedback_handler(app)

    def handler(action: str | None, viewer_id: str | list[str] | None, k: float | None):
        act, _, rest = (action or "").partition(":")
        title_id = rest.split(":", 1)[0]
        if act == "like" and title_id:
            try:
                found = app.like(title_id=title_id, k=int(k or 10))
            except MoodreelError as exc:
                raise gr.Error(str(exc)) from None
            seed = found.seed
            year = f" ({seed.year})" if seed.year else ""
            shown = RecommendationSet(
                mood=f"more like {seed.title}", emotions=seed.emotions, results=found.results
            )
            return render_list(f"More like <b>{_e(seed.title)}</b>{_e(year)}", shown), gr.update()
        votes = {"up": 1, "down": -1, "undo": 0}
        if act in votes and title_id:
            return gr.update(), vote(viewer_id, title_id, votes[act])
        if act in ("hide", "unhide") and title_id:
            return gr.update(), hide(viewer_id, title_id, act == "unhide")
        return gr.update(), gr.update()

    hide = not_interested_handler(app)
    return handler


def not_interested_handler(app: Moodreel):
    """A card's "Not interested" on a shown title (``undo``: show it again): no later search shows it to the
    viewer (with viewers watching together, to any of them)."""

    def handler(viewer_id: str | list[str] | None, title_id: str, undo: bool = False) -> str:
        ids = _viewer_ids(viewer_id)
        if not ids:
            raise gr.Error("Pick a viewer first: 'Not interested' is kept for a viewer.")
        try:
            for uid in ids:
                app.not_interested(uid, title_id, undo)
        except MoodreelError as exc:
            raise gr.Error(str(exc)) from None
        if undo:
            return '<p class="mr-feedback">Shown again.</p>'
        again = (
            f'<button class="mr-act mr-unhide" data-mr-act="unhide" data-id="{_e(title_id)}">Undo</button>'
        )
        return f'<p class="mr-feedback">Hidden for good: you will not see it again. {again}</p>'

    return handler


# One step of a search and its follow-ups: the state the follow-ups left, and its results.
Step = tuple[FollowUp, RecommendationSet]


def first_step(result: RecommendationSet) -> list[Step]:
    """The follow-up thread of a fresh search: one step, nothing refined yet."""
    return [(start(result.understood), result)] if result.understood is not None else []


def refine_handler(app: Moodreel, pitch_count: int, posters: bool = False):
    """(follow-up, thread, the search form, viewer) -> (page, the new thread): the last step's
    understanding edited by the follow-up, searched again (``Moodreel.follow_up``), then pitched."""

    def handler(text: str | None, thread: list[Step] | None, form: SearchForm, viewer_id=None):
        if not thread:
            raise gr.Error("Search first, then refine the results.")
        if not (text or "").strip():
            raise gr.Error("Say how to change the results: less violent, funnier, older, only movies, …")
        ids = _viewer_ids(viewer_id)
        state, shown = thread[-1]
        try:
            profile = app.load_viewer(ids[0]) if len(ids) == 1 else None
            result = app.follow_up(
                shown.mood, [text or ""], int(form.k or 10), form.filters(), profile,
                state=state, shown=[r.id for r in shown.results],
            )  # fmt: skip
        except ValidationError as exc:
            raise gr.Error("Check the filters: " + "; ".join(e["msg"] for e in exc.errors())) from None
        except MoodreelError as exc:
            raise gr.Error(str(exc)) from None
        yield from _next_step(app, thread, state, result, profile, ids, pitch_count, posters)

    return handler


def _next_step(
    app: Moodreel, thread: list, state, result, profile, ids: list[str], pitch_count: int, posters: bool
):
    """A follow-up's pages (cards, then pitches), each with the thread one step longer (Undo pops it)."""
    new = [*thread, (result.follow_up or state, result)]
    urls = (lambda i: poster_url(i, result.mood, ids[0] if len(ids) == 1 else None)) if posters else None
    for page, _ in _with_pitches(app, result, profile, pitch_count, urls):
        yield page, new


def refined_chips_handler(app: Moodreel, pitch_count: int, posters: bool = False):
    """Chips unticked after a follow-up: the refined search without them (a new step, so Undo works)."""

    def handler(dropped: list[str], thread: list[Step], form: SearchForm, viewer_id=None):
        ids = _viewer_ids(viewer_id)
        state, shown = thread[-1]
        try:
            profile = app.load_viewer(ids[0]) if len(ids) == 1 else None
            result = app.search_follow_up(
                shown.mood, state.without(dropped), int(form.k or 10), form.filters(), profile
            )
        except ValidationError as exc:
            raise gr.Error("Check the filters: " + "; ".join(e["msg"] for e in exc.errors())) from None
        except MoodreelError as exc:
            raise gr.Error(str(exc)) from None
        yield from _next_step(app, thread, state, result, profile, ids, pitch_count, posters)

    return handler


def save_handler(app: Moodreel):
    """(name, thread, viewer) -> (notice, the viewer's saved names): keep the search as it stands."""

    def handler(name: str | None, thread: list[Step] | None, viewer_id=None) -> tuple[str, list[str]]:
        ids = _viewer_ids(viewer_id)
        if len(ids) != 1:
            raise gr.Error("Pick one viewer first: a saved search is kept for a viewer.")
        if not thread:
            raise gr.Error("Search first, then save the search.")
        if not (name or "").strip():
            raise gr.Error("Give the search a name.")
        state, result = thread[-1]
        try:
            kept = app.save_search(ids[0], name or "", result.mood, state, [r.id for r in result.results],
                                   k=max(1, len(result.results)))  # fmt: skip
            names = [s.name for s in app.saved_searches(ids[0])]
        except (MoodreelError, ValidationError) as exc:
            raise gr.Error(str(exc)) from None
        return f'<p class="mr-feedback">Saved as <b>{_e(kept.name)}</b> for {_e(ids[0])}.</p>', names

    return handler


def open_saved_handler(app: Moodreel, pitch_count: int, posters: bool = False):
    """(name, viewer) -> (page, thread): a saved search re-run, titles it did not show before first."""

    def handler(name: str | None, viewer_id=None):
        ids = _viewer_ids(viewer_id)
        if len(ids) != 1 or not name:
            raise gr.Error("Pick a viewer and one of their saved searches.")
        try:
            result = app.open_saved(ids[0], name)
            profile = app.load_viewer(ids[0])
        except MoodreelError as exc:
            raise gr.Error(str(exc)) from None
        steps = [(result.follow_up or start(result.understood), result)]
        urls = (lambda i: poster_url(i, result.mood, ids[0])) if posters else None
        for page, _ in _with_pitches(app, result, profile, pitch_count, urls):
            yield page, steps

    return handler


def saved_names(app: Moodreel, viewer_id) -> list[str]:
    ids = _viewer_ids(viewer_id)
    if len(ids) != 1:
        return []
    try:
        return [s.name for s in app.saved_searches(ids[0])]
    except MoodreelError:
        return []


def undo_handler(posters: bool = False):
    """(thread, viewer) -> (the previous step's cards, the thread without its last step)."""

    def handler(thread: list[Step] | None, viewer_id=None) -> tuple[str, list[Step]]:
        if not thread or len(thread) < 2:
            raise gr.Error("Nothing to undo: no follow-up yet.")
        kept = thread[:-1]
        _, result = kept[-1]
        ids = _viewer_ids(viewer_id)
        urls = (lambda i: poster_url(i, result.mood, ids[0] if len(ids) == 1 else None)) if posters else None
        texts = {
            r.id: CardText(tagline=r.tagline or "", pitch=r.pitch or "", done=True) for r in result.results
        }
        return render_cards(result, texts, None, urls), kept

    return handler


def journey_handler(app: Moodreel):
    """(current mood, wanted mood, steps) -> the journey's cards, in order."""

    def handler(start: str | None, end: str | None, steps: float | None) -> str:
        try:
            found = app.journey(start or "", end or "", int(steps or 3))
        except MoodreelError as exc:
            raise gr.Error(str(exc)) from None
        shown = RecommendationSet(mood=found.from_, emotions=[], results=found.steps)
        heading = f"A journey from <b>{_e(found.from_)}</b> to <b>{_e(found.to)}</b>, step by step"
        return render_list(heading, shown)

    return handler


def form_from_url(params: dict[str, list[str]]) -> tuple:
    """The search form's values from the page's query string (``?mood=…&k=…&genre=…``)."""

    def one(name: str, default=None):
        values = params.get(name) or []
        return values[0] if values else default

    def number(name: str):
        try:
            return int(one(name)) if one(name) else None
        except ValueError:
            return None

    genres = [g for g in params.get("genre", []) if g in GENRES]
    exclude = [g for g in params.get("exclude", []) if g in GENRES]
    type_ = one("type", "Any") if one("type") in ("MOVIE", "SHOW") else "Any"
    k = min(20, max(1, number("k") or 6))
    return (one("mood", ""), k, type_, genres, exclude, number("min_year"), number("max_year"),
            number("max_runtime"))  # fmt: skip


def _sample_history(app: Moodreel) -> History | None:
    try:
        return app.sample_history()
    except HistoryError:
        log.warning("the sample viewing history is unusable", exc_info=True)
        return None


def create_app(
    app: Moodreel,
    pitch_count: int = 20,
    with_viewers: bool = True,
    posters: bool = True,
    upload_dir: Path | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
) -> gr.Blocks:
    """The page; ``with_viewers`` adds the viewer picker and 👍/👎 (mood-only search without);
    ``posters``: cards show a poster thumbnail (from ``/api/poster``, so the API must be mounted).
    An uploaded history is read only from ``upload_dir`` (default: Gradio's upload folder).

    Searches run side by side (no queue limit): a visitor's cards never wait for another
    visitor's pitches; the pitches themselves take turns on the LLM."""
    samples = _sample_history(app) if with_viewers else None
    with gr.Blocks(title="moodreel") as demo:
        gr.HTML(
            "<h1>🎬 moodreel</h1><p>Tell me how you feel; I'll find films and shows with the same vibe.</p>"
        )
        with gr.Row():
            mood = gr.Textbox(
                label="How do you feel?", placeholder=EXAMPLES[0], lines=2, scale=4, elem_id="mood"
            )
            k = gr.Slider(1, 20, value=6, step=1, label="How many", scale=1, elem_id="k")
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
            with gr.Accordion("Viewers (personalize with a watch history)", open=False):
                with gr.Row():
                    sample = gr.Dropdown(
                        samples.users() if samples else [],
                        multiselect=True,
                        label="Sample viewers (pick several to watch together)",
                        elem_id="sample-viewers",
                    )
                    upload = gr.File(
                        label="…or upload a history: moodreel CSV, or an export of Netflix, Letterboxd, IMDb, Trakt",
                        file_types=[".csv", ".json"],
                        elem_id="history-upload",
                    )
                    upload_user = gr.Textbox(
                        label="Your user_id in that file (for an export: a name for you)",
                        elem_id="upload-user",
                    )
                use = gr.Button("Use these viewers", elem_id="use-viewers")
                viewer_status = gr.HTML(elem_id="viewer-status")
            pick_viewer = viewer_handler(
                app, samples, upload_dir or Path(get_upload_folder()), max_upload_bytes
            )
            use.click(
                lambda *args: (*pick_viewer(*args), None),  # the file is gone once read: clear it
                inputs=[sample, upload, upload_user],
                outputs=[viewer_id, viewer_status, upload],
            )
        go = gr.Button("Find my vibe", variant="primary", elem_id="go")
        gr.Examples(EXAMPLES, inputs=[mood])
        with gr.Accordion("Mood journey: from how you feel to how you want to feel", open=False):
            with gr.Row():
                journey_to = gr.Textbox(
                    label="…and how do you want to feel?", placeholder="calm and sleepy", scale=4,
                    elem_id="journey-to",
                )  # fmt: skip
                journey_steps = gr.Slider(1, 8, value=3, step=1, label="Steps", scale=1)
            journey_go = gr.Button("Plan my journey", elem_id="journey-go")
        understood = gr.CheckboxGroup(
            [], label="What I understood (untick anything I got wrong)", elem_id="understood", visible=False
        )
        all_chips = gr.State([])
        feedback_status = gr.HTML(elem_id="feedback")
        cards = gr.HTML(elem_id="results")
        thread = gr.State([])  # the search and its follow-ups, one step each (Undo goes back one)
        with gr.Row():
            follow_up = gr.Textbox(
                label="Refine these results",
                placeholder="less violent · funnier · older · only movies · more like the second one",
                scale=4,
                elem_id="follow-up",
            )
            refine_go = gr.Button("Refine", scale=1, elem_id="refine")
            undo_go = gr.Button("Undo", scale=1, elem_id="undo-refine")
        if with_viewers:
            with gr.Row():
                save_name = gr.Textbox(label="Save this search as", scale=3, elem_id="save-name")
                save_go = gr.Button("Save this search", scale=1, elem_id="save-search")
                saved_list = gr.Dropdown([], label="Saved searches", scale=3, elem_id="saved-searches")
                open_go = gr.Button("Open", scale=1, elem_id="open-saved")
        action = gr.Textbox(
            elem_id="mr-action", elem_classes=["mr-hidden"], container=False, show_label=False
        )
        action_go = gr.Button("act", elem_id="mr-action-go", elem_classes=["mr-hidden"])
        inputs = [mood, k, type_, genres, exclude, min_year, max_year, max_runtime]
        outputs = [cards, understood, all_chips, thread]

        def run(form: SearchForm, viewer, chips: list[str] | None = None):
            for page, result in _pages(app, pitch_count, form, viewer, posters):
                shown = chips if chips is not None else result.understood.chips() if result.understood else []
                kept = [c for c in shown if c not in form.drop]
                yield (
                    page,
                    gr.update(choices=shown, value=kept, visible=bool(shown)),
                    shown,
                    first_step(result),
                )

        def chip_update(steps: list[Step]):
            chips = steps[-1][0].chips() if steps else []
            return gr.update(choices=chips, value=chips, visible=bool(chips)), chips

        refine_pages = refine_handler(app, pitch_count, posters)
        refined_chips = refined_chips_handler(app, pitch_count, posters)
        undo_pages = undo_handler(posters)

        def refine(
            text, steps, mood, k, type_, genres, exclude, min_year, max_year, max_runtime, viewer=None
        ):
            form = SearchForm(mood, k, type_, genres, exclude, min_year, max_year, max_runtime)
            for page, new in refine_pages(text, steps, form, viewer):
                yield (page, *chip_update(new), new, "")

        def undo(steps, viewer=None):
            page, kept = undo_pages(steps, viewer)
            return (page, *chip_update(kept), kept)

        def search(mood, k, type_, genres, exclude, min_year, max_year, max_runtime, viewer=None):
            form = SearchForm(mood, k, type_, genres, exclude, min_year, max_year, max_runtime)
            yield from run(form, viewer)

        def search_if_mood(mood, *rest):
            if (mood or "").strip():
                yield from search(mood, *rest)

        def rechip(
            mood, k, type_, genres, exclude, min_year, max_year, max_runtime, ticked, chips, steps=None,
            viewer=None,
        ):  # fmt: skip
            drop = tuple(c for c in chips or [] if c not in (ticked or []))
            form = SearchForm(mood, k, type_, genres, exclude, min_year, max_year, max_runtime, drop)
            if steps and len(steps) > 1:  # after a follow-up: refine the refined search
                for page, new in refined_chips(list(drop), steps, form, viewer):
                    yield (page, *chip_update(new), new)
                return
            yield from run(form, viewer, chips)

        def from_url(request: gr.Request):
            params: dict[str, list[str]] = {}
            for key, value in request.query_params.multi_items() if request else []:
                params.setdefault(key, []).append(value)
            if not params:  # a bare URL leaves the form as it is (the visitor may be typing already)
                return tuple(gr.update() for _ in inputs)
            return form_from_url(params)

        with_viewer = [viewer_id]
        parallel = {"outputs": outputs, "concurrency_limit": None}
        go.click(search, inputs=[*inputs, *with_viewer], **parallel).then(None, inputs, None, js=URL_JS)
        mood.submit(search, inputs=[*inputs, *with_viewer], **parallel).then(None, inputs, None, js=URL_JS)
        understood.input(rechip, inputs=[*inputs, understood, all_chips, thread, *with_viewer], **parallel)
        refine_inputs = [follow_up, thread, *inputs, *with_viewer]
        refine_outputs = [cards, understood, all_chips, thread, follow_up]
        refine_go.click(refine, inputs=refine_inputs, outputs=refine_outputs, concurrency_limit=None)
        follow_up.submit(refine, inputs=refine_inputs, outputs=refine_outputs, concurrency_limit=None)
        undo_go.click(undo, inputs=[thread, *with_viewer], outputs=outputs)
        if with_viewers:
            save_search = save_handler(app)
            open_pages = open_saved_handler(app, pitch_count, posters)

            def save(name, steps, viewer=None):
                notice, names = save_search(name, steps, viewer)
                return notice, gr.update(choices=names, value=name.strip() if name else None)

            def open_saved(name, viewer=None):
                for page, steps in open_pages(name, viewer):
                    yield (page, *chip_update(steps), steps)

            save_go.click(save, inputs=[save_name, thread, viewer_id], outputs=[feedback_status, saved_list])
            open_go.click(open_saved, inputs=[saved_list, viewer_id], outputs=outputs, concurrency_limit=None)
            viewer_id.change(
                lambda v: gr.update(choices=saved_names(app, v), value=None),
                inputs=viewer_id,
                outputs=saved_list,
            )
        demo.load(from_url, None, inputs).then(search_if_mood, [*inputs, *with_viewer], **parallel)
        journey_go.click(journey_handler(app), inputs=[mood, journey_to, journey_steps], outputs=cards)
        action_go.click(action_handler(app), inputs=[action, viewer_id, k], outputs=[cards, feedback_status])
    return demo
