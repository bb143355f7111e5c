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

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage

from moodreel.credits import Credits
from moodreel.llm.word_guard import WordGuardSpec
from moodreel.prompts import Prompt
from moodreel.records import StoredTitle
from moodreel.search.pitch_check import PitchFacts, Violation, check_pitch, tone, unsupported_words
from moodreel.search.pitch_template import template_pitch
from moodreel.search.pitch_text import MAX_SENTENCES, MAX_WORDS, SentenceSplitter
from moodreel.search.support import word_pairs, word_runs
from moodreel.search.tagline import TaglineReader, check_tagline, template_tagline
from moodreel.search.title_kind import title_kind
from moodreel.search.untrusted import safe_synopsis

log = logging.getLogger(__name__)

MAX_TOKENS = 80  # 45 words are ~60 tokens; the sentence budget usually stops generation first
TEMPERATURE = 0.7
PAIR_BOOST = 0.0  # added to the logit of a word that follows the last one as in the synopsis
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
    drafts: tuple[
        str, ...
    ] = ()  # on the done chunk: each generation's sentences, as written (checked or not)

    @property
    def regenerated(self) -> bool:
        return self.attempts > 1


def pitch_facts(
    title: StoredTitle,
    credits: Credits,
    mood: str = "",
    viewer_summary: str = "",
    mood_emotions: Sequence[str] = (),
) -> PitchFacts:
    """What a pitch for ``title`` may say; names may also come from the mood and viewer summary,
    words also from the feelings the viewer wants."""
    return PitchFacts(
        title=title.title,
        synopsis=title.description,
        genres=tuple(title.genres),
        vibes=tuple(title.emotions),
        names=credits.directors + credits.cast,
        context=" ".join([mood, viewer_summary, *mood_emotions]).strip(),
        kind=f"{title_kind(title).words} {title.release_year or ''}",
    )


def _tone_line(facts: PitchFacts) -> str:
    return {
        "dark": "dark, never warm or lighthearted",
        "light": "light, never dark or chilling",
    }.get(tone(facts), "as its genres say")


def _kind_line(title: StoredTitle) -> str:
    kind = title_kind(title)
    line = f"{kind.article()} {kind.phrase}"
    if kind.performer:
        line += f" by {kind.performer}"
    if kind.subject:
        line += f" (pitch the documentary, not the story of {kind.subject})"
    return line


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
        kind=_kind_line(title),
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
    "unsupported": "Say only what the synopsis says: no people, numbers or events it does not have.",
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
    opened = [v.detail.split("'")[1] for v in problems if v.kind == "opening" and "'" in v.detail]
    if opened:
        asks.append(f"Do not start the pitch with the word {opened[0]!r}.")
    asks.append(f"Two complete sentences, at most {max_words - 5} words.")
    *head, last = messages
    return [*head, HumanMessage(content=f"{last.content}\n{' '.join(asks)}")]


def opening_word(text: str) -> str:
    """The first word of a pitch, lower case ("" if none)."""
    runs = word_runs(text)
    return runs[0] if runs else ""


def opening_violations(first_sentence: str, taken: list[str]) -> list[Violation]:
    """The pitch opens with the same word as an earlier pitch of the search."""
    word = opening_word(first_sentence)
    return [Violation("opening", f"opens with {word!r} like an earlier pitch")] if word in taken else []


def word_guard_options(
    model: BaseChatModel, facts: PitchFacts, banned: list[str], openings: list[str]
) -> dict[str, Any]:
    """The chat model's ``word_guard=`` argument, where it takes one (the local backend's
    ``guards_words``): only words ``facts`` support (less ``banned``), a boost for the
    synopsis's word pairs, none of ``openings`` as the pitch's first word."""
    if not getattr(model, "guards_words", False):
        return {}
    return {
        "word_guard": WordGuardSpec(
            facts.support_banning(banned),
            pairs=word_pairs(facts.synopsis),
            boost=PAIR_BOOST,
            banned_openings=tuple(openings),
        )
    }


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
    openings: list[str] | None = None,
    guard: bool = True,
) -> Iterator[PitchChunk]:
    """Yield the tagline, then the pitch sentence by sentence as it passes the checks, then
    a ``done`` chunk.

    ``timeout_s`` bounds the writing of the whole pitch, regeneration included (not the
    wait for a busy LLM); ``max_tokens`` each generation. ``retries``: regenerations after
    a draft that fails the checks. ``cancelled``: polled per token; once true the pitch
    stops without another chunk (the viewer left). ``llm_options``: extra keyword
    arguments for the chat model (``steering=`` for the local backend). ``started``: called
    once the first draft's first words arrive (its prompt is read: the moment to read the
    next pitch's prompt ahead, on the cores that writing leaves free). ``openings``: the
    first words of the search's pitches so far; this pitch opens with another one and adds
    its own (pass one list per search). ``guard``: where the model takes it (the local
    backend), let it write only words the facts support (``word_guard_options``).
    """
    facts = pitch_facts(title, credits, mood, viewer_summary, mood_emotions)
    taken = openings if openings is not None else []
    drafts: list[str] = []
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
            if guard:
                options.update(word_guard_options(model, facts, unsupported_words(found), taken))
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
                problems += [] if shown else opening_violations(text, taken)
                if attempts > retries and {v.kind for v in problems} == {"copy"}:
                    problems = []  # the template would quote the synopsis too: its words are true
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
            drafts.append(" ".join(draft.sentences))
        if not shown and not problems:
            problems = [_unusable(draft, max_words)]
        if problems:
            log.info("pitch for %s, attempt %d: %s", title.id, attempts, "; ".join(map(str, problems)))
            found += problems
            messages = _retry_messages(base, problems, facts, max_words)
    if not shown:
        notice = notice or "a plain pitch: the AI drafts did not pass the checks"
        chunk = _template(title, facts, mood_emotions, notice, attempts, found, tagline, tag_found)
        taken.append(opening_word(chunk.text))
        yield dataclasses.replace(chunk, drafts=tuple(drafts))
        return
    taken.append(opening_word(shown[0]))
    yield PitchChunk(
        "",
        notice=notice,
        done=True,
        attempts=attempts,
        violations=tuple(found),
        tagline=tagline or template_tagline(facts, mood_emotions),
        tagline_fallback=not tagline,
        tagline_violations=tuple(tag_found),
        drafts=tuple(drafts),
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
