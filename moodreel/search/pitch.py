"""A short pitch per hit, streamed sentence by sentence, checked, with a template fallback.

The mood text goes into the prompt as quoted data, trimmed; the viewer's profile
summary (never a raw id or history) is an optional line. The LLM's text is cut into
clean, complete sentences (``pitch_text.SentenceSplitter``) within the budget: two
sentences, at most 45 words; generation stops as soon as the budget is spent. Each
sentence is checked (``pitch_check.check_pitch``: names, claims, tone, copy) before it is
shown, so what was streamed is never taken back: the concatenated chunks are the pitch.

A draft whose first sentence fails is regenerated once, told what to avoid; if that
fails too, or the LLM fails or stalls, the card gets a grounded template pitch built
from the facts, never an empty card. A later sentence that fails is dropped and the
pitch ends on the sentences already shown. The last chunk says what happened.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage

from moodreel.credits import Credits
from moodreel.prompts import Prompt
from moodreel.records import StoredTitle
from moodreel.search.pitch_check import PitchFacts, Violation, check_pitch, copy_ratio, tone, tone_violations
from moodreel.search.pitch_text import MAX_SENTENCES, MAX_WORDS, SentenceSplitter, split_sentences, words
from moodreel.search.tagline import TaglineReader, check_tagline, template_tagline
from moodreel.search.untrusted import safe_synopsis

log = logging.getLogger(__name__)

MAX_TOKENS = 80  # 45 words are ~60 tokens; the sentence budget usually stops generation first
TEMPERATURE = 0.7
GENRE_WORDS = {"documentation": "documentary", "scifi": "sci-fi", "european": ""}


@dataclass
class PitchChunk:
    """A piece of a streamed pitch. Joining every chunk's ``text`` gives the final pitch.

    Text is only emitted as complete sentences that passed the checks, so nothing shown is
    ever taken back. A chunk with a ``tagline`` (and no text) brings the card's tagline as
    soon as it passed its checks. The last chunk has ``done=True`` (its text may be empty),
    repeats the final ``tagline`` (the LLM's, or a template's with ``tagline_fallback``)
    and says how the pitch came about: ``attempts``, the LLM generations made (2 after a regeneration,
    0 when the LLM was not used); ``violations``, every problem the checks found in the
    drafts (none of it shown); ``fallback``, the text is the template pitch.
    """

    text: str
    fallback: bool = False
    notice: str = ""
    done: bool = False
    attempts: int = 0
    violations: tuple[Violation, ...] = ()
    tagline: str = ""  # set once, on the chunk that brings it; the done chunk repeats it
    tagline_fallback: bool = False
    tagline_violations: tuple[Violation, ...] = ()  # what the checks found in the LLM's taglines

    @property
    def regenerated(self) -> bool:
        return self.attempts > 1


def pitch_facts(title: StoredTitle, credits: Credits, mood: str = "", viewer_summary: str = "") -> PitchFacts:
    """What a pitch for ``title`` may say; names may also come from the mood and viewer summary."""
    return PitchFacts(
        title=title.title,
        synopsis=title.description,
        genres=tuple(title.genres),
        vibes=tuple(title.emotions),
        names=credits.directors + credits.cast,
        context=f"{mood} {viewer_summary}".strip(),
    )


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def template_pitch(title: StoredTitle, mood_emotions: list[str], max_words: int = MAX_WORDS) -> str:
    """Two true sentences from the facts: genres and feelings, then the synopsis' first
    sentence (or, if it is long or the pitch would copy it, the mood it fits)."""
    facts = pitch_facts(title, Credits())
    kind = "series" if title.type == "SHOW" else "film"
    genres = [w for w in (GENRE_WORDS.get(g, g) for g in title.genres) if w][:2]
    feels = [e for e in title.emotions if not tone_violations(e, facts)][:3]
    what = f"{_and(genres)} {kind}" if genres else kind
    year = f" ({title.release_year})" if title.release_year else ""
    first = f"{title.title}{year} is {'an' if what[0] in 'aeiou' else 'a'} {what}"
    first += f" of {_and(feels)}." if feels else "."
    sentences, _ = split_sentences(title.description)
    story = sentences[0] if sentences else ""
    pitch = f"{first} {story}"
    if story and words(pitch) <= max_words and copy_ratio(pitch, title.description) <= 0.5:
        return pitch
    wanted = _and(mood_emotions[:2])
    return f"{first} A pick for a night when you want {wanted}." if wanted else first


def _tone_line(facts: PitchFacts) -> str:
    return {
        "dark": "dark, never warm or lighthearted",
        "light": "light, never dark or chilling",
    }.get(tone(facts), "as its genres say")


def render_pitch_messages(
    prompt: Prompt,
    title: StoredTitle,
    mood: str,
    mood_emotions: list[str],
    credits: Credits,
    viewer_summary: str = "",
) -> list[BaseMessage]:
    # each title's own lines are read anew for every pitch (the rest is cached): keep them short
    credit_bits = []
    if credits.directors:
        credit_bits.append("Directed by " + ", ".join(credits.directors[:2]))
    if credits.cast:
        credit_bits.append("Starring " + ", ".join(credits.cast[:3]))
    synopsis = safe_synopsis(title.description)[:700] or "(no synopsis)"
    return prompt.render(
        mood=mood[:300].replace("»", "").replace("«", ""),
        emotions=", ".join(mood_emotions),
        viewer=f"About this viewer: {viewer_summary}" if viewer_summary else "",
        title=title.title,
        type="TV show" if title.type == "SHOW" else "film",
        year=title.release_year or "year unknown",
        genres=", ".join(title.genres) or "genre unknown",
        synopsis=synopsis,
        credits=("; ".join(credit_bits) + ".") if credit_bits else "",
        title_emotions=", ".join(title.emotions[:5]),
        tone=_tone_line(pitch_facts(title, credits)),
    )


def read_pitch_ahead(
    model: BaseChatModel,
    prompt: Prompt,
    title: StoredTitle,
    mood: str,
    mood_emotions: list[str],
    credits: Credits,
    viewer_summary: str = "",
) -> bool:
    """Have the LLM read this pitch's prompt now, while it writes another, if it can (the
    local backend with an idle context: ``LlamaCppChat.read_ahead``); the pitch's first
    generation then starts writing at once. False when nothing was read."""
    read_ahead = getattr(model, "read_ahead", None)
    if read_ahead is None:  # an endpoint: it caches shared prompt starts itself
        return False
    return read_ahead(render_pitch_messages(prompt, title, mood, mood_emotions, credits, viewer_summary))


class PitchCancelled(Exception):
    """The viewer left: stop writing."""


def _pieces(
    model: BaseChatModel,
    messages: list[BaseMessage],
    reader: TaglineReader,
    draft: SentenceSplitter,
    max_tokens: int,
    timeout_s: float,
    cancelled: Callable[[], bool] | None,
    started: Callable[[], None] | None = None,
    **options: Any,
) -> Iterator[tuple[str, str]]:
    """("tagline", line) once, then ("sentence", text) per complete sentence of one
    generation; closing this generator stops the LLM.

    ``timeout_s`` counts from the first chunk, when the backend has started on this
    request: time waiting for the LLM behind other requests is not generation time.
    """
    stream = model.stream(messages, max_tokens=max_tokens, **options)
    deadline: float | None = None
    try:
        for chunk in stream:
            if cancelled is not None and cancelled():
                raise PitchCancelled
            now = time.monotonic()
            deadline = deadline or now + timeout_s
            text = str(chunk.content)
            if text and started is not None:  # the prompt is read: writing leaves cores free
                started()
                started = None
            if not reader.done:
                if not reader.feed(text):
                    continue
                yield "tagline", reader.tagline
                text = reader.rest
            for sentence in draft.feed(text):
                yield "sentence", sentence
            if draft.stopped:
                return
            if now > deadline:
                raise TimeoutError(f"the pitch took longer than {timeout_s:.0f} s to write")
        if not reader.done:
            reader.finish()
            yield "tagline", reader.tagline
            for sentence in draft.feed(reader.rest):
                yield "sentence", sentence
        for sentence in draft.finish():
            yield "sentence", sentence
    finally:
        close = getattr(stream, "close", None)  # stops the backend's generation
        if close is not None:
            close()


def _unusable(draft: SentenceSplitter, max_words: int) -> Violation:
    if draft.over_budget:
        return Violation("length", f"the first sentence runs past {max_words} words")
    if draft.tail:
        return Violation("incomplete", f"ends mid-sentence: {draft.tail[-40:]!r}")
    return Violation("empty", "no pitch")


# What to do instead, per kind of problem. The rejected draft and its names are left out
# of the new request: shown to a small model, they get repeated.
_INSTEAD = {
    "name": "Name no person, place or title that the facts above do not name.",
    "plot": "Say nothing about the story that the synopsis does not say.",
    "claim": "Claim no awards, music, performances or praise.",
    "copy": "Use your own words, not the synopsis'.",
    "echo": "Do not repeat the viewer's words; say what this title offers them.",
    "meta": "Write the pitch itself, nothing about pitches.",
}


def _retry_messages(
    messages: list[BaseMessage], problems: list[Violation], facts: PitchFacts, max_words: int
) -> list[BaseMessage]:
    """The first request again, with what to avoid this time added to its last message."""
    asks = [_INSTEAD[k] for k in dict.fromkeys(v.kind for v in problems) if k in _INSTEAD]
    if any(v.kind == "tone" for v in problems):
        asks.append(
            f"Call it only what its genres say ({', '.join(facts.genres)}); tone: {_tone_line(facts)}."
        )
    asks.append(f"Two complete sentences, at most {max_words - 5} words.")
    *head, last = messages
    return [*head, HumanMessage(content=f"{last.content}\n{' '.join(asks)}")]


def stream_pitch(
    model: BaseChatModel,
    prompt: Prompt,
    title: StoredTitle,
    mood: str,
    mood_emotions: list[str],
    credits: Credits,
    viewer_summary: str = "",
    timeout_s: float = 60.0,
    max_tokens: int = MAX_TOKENS,
    *,
    max_words: int = MAX_WORDS,
    max_sentences: int = MAX_SENTENCES,
    retries: int = 1,
    temperature: float = TEMPERATURE,
    cancelled: Callable[[], bool] | None = None,
    llm_options: dict[str, Any] | None = None,
    started: Callable[[], None] | None = None,
) -> Iterator[PitchChunk]:
    """Yield the tagline, then the pitch sentence by sentence as it passes the checks, then
    a ``done`` chunk.

    ``timeout_s`` bounds the writing of the whole pitch, regeneration included (not the
    wait for a busy LLM); ``max_tokens`` each generation. ``retries``: regenerations after
    a draft that fails the checks. ``cancelled``: polled per token; once true the pitch
    stops without another chunk (the viewer left). ``llm_options``: extra keyword
    arguments for the chat model (``steering=`` for the local backend). ``started``: called
    once the first draft's first words arrive (its prompt is read: the moment to read the
    next pitch's prompt ahead, on the cores that writing leaves free).
    """
    facts = pitch_facts(title, credits, mood, viewer_summary)
    base = render_pitch_messages(prompt, title, mood, mood_emotions, credits, viewer_summary)
    messages = base
    found: list[Violation] = []
    tag_found: list[Violation] = []
    shown: list[str] = []
    tagline = ""
    attempts, notice, spent = 0, "", 0.0
    while not shown and attempts <= retries:
        attempts += 1
        reader = TaglineReader()
        draft = SentenceSplitter(max_words, max_sentences, title.title)
        problems: list[Violation] = []
        began = time.monotonic()
        try:
            # a retry samples afresh: the same seed would give the same draft
            options: dict[str, Any] = {"temperature": temperature, **(llm_options or {})}
            if attempts > 1:
                options["seed"] = 1000 + attempts
            pieces = _pieces(
                model,
                messages,
                reader,
                draft,
                max_tokens,
                timeout_s - spent,
                cancelled,
                started if attempts == 1 else None,
                **options,
            )
            for kind, text in pieces:
                if kind == "tagline":
                    bad = check_tagline(text, facts) if not tagline else []
                    if not tagline and not bad:
                        tagline = text
                        yield PitchChunk("", tagline=tagline)
                    tag_found += [v for v in bad if v.kind != "empty"]
                    continue
                problems = check_pitch(" ".join([*shown, text]), facts, max_words)
                if problems:
                    break  # a bad sentence is never shown
                yield PitchChunk(f" {text}" if shown else text)
                shown.append(text)
        except PitchCancelled:
            log.info("pitch for %s cancelled: the viewer left", title.id)
            return
        except Exception as exc:  # any backend failure or stall degrades, never an empty card
            log.warning("pitch for %s failed: %s", title.id, exc)
            notice = f"pitch cut short: {exc}" if shown else f"AI pitch unavailable: {exc}"
            break
        finally:
            spent += time.monotonic() - began
        if not shown and not problems:
            problems = [_unusable(draft, max_words)]
        if problems:
            log.info("pitch for %s, attempt %d: %s", title.id, attempts, "; ".join(map(str, problems)))
            found += problems
            messages = _retry_messages(base, problems, facts, max_words)
    if not shown:
        notice = notice or "a plain pitch: the AI drafts did not pass the checks"
        yield _template(title, facts, mood_emotions, notice, attempts, found, tagline, tag_found)
        return
    yield PitchChunk(
        "",
        notice=notice,
        done=True,
        attempts=attempts,
        violations=tuple(found),
        tagline=tagline or template_tagline(facts, mood_emotions),
        tagline_fallback=not tagline,
        tagline_violations=tuple(tag_found),
    )


def _template(
    title: StoredTitle,
    facts: PitchFacts,
    mood_emotions: list[str],
    notice: str,
    attempts: int = 0,
    found: list[Violation] | None = None,
    tagline: str = "",
    tag_found: list[Violation] | None = None,
) -> PitchChunk:
    return PitchChunk(
        template_pitch(title, mood_emotions),
        fallback=True,
        notice=notice,
        done=True,
        attempts=attempts,
        violations=tuple(found or ()),
        tagline=tagline or template_tagline(facts, mood_emotions),
        tagline_fallback=not tagline,
        tagline_violations=tuple(tag_found or ()),
    )


def template_chunk(
    title: StoredTitle,
    mood: str,
    mood_emotions: list[str],
    credits: Credits,
    viewer_summary: str,
    notice: str,
) -> PitchChunk:
    """The whole answer without an LLM (none could be loaded): template pitch and tagline."""
    return _template(title, pitch_facts(title, credits, mood, viewer_summary), mood_emotions, notice)
