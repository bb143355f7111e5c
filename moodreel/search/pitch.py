"""A short pitch per hit, streamed from the LLM, with a template fallback.

The mood text goes into the prompt as quoted data, trimmed; the viewer's profile
summary (never a raw id or history) is an optional line. If the LLM fails or stalls,
the caller gets a one-sentence template pitch and a notice, never an empty card.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from moodreel.credits import Credits
from moodreel.prompts import Prompt
from moodreel.records import StoredTitle

log = logging.getLogger(__name__)


@dataclass
class PitchChunk:
    text: str
    fallback: bool = False
    notice: str = ""


def template_pitch(title: StoredTitle, mood_emotions: list[str]) -> str:
    feels = ", ".join(title.emotions[:3]) or "a change of mood"
    wanted = " and ".join(mood_emotions[:2]) or "something new"
    kind = "series" if title.type == "SHOW" else "film"
    year = f" ({title.release_year})" if title.release_year else ""
    return f"{title.title}{year} is a {kind} of {feels}: a fit for a night when you want {wanted}."


def render_pitch_messages(
    prompt: Prompt,
    title: StoredTitle,
    mood: str,
    mood_emotions: list[str],
    credits: Credits,
    viewer_summary: str = "",
):
    credit_bits = []
    if credits.directors:
        credit_bits.append("Directed by " + ", ".join(credits.directors))
    if credits.cast:
        credit_bits.append("Starring " + ", ".join(credits.cast))
    synopsis = title.description or "(no synopsis)"
    return prompt.render(
        mood=mood[:300].replace("»", "").replace("«", ""),
        emotions=", ".join(mood_emotions),
        viewer=f"About this viewer: {viewer_summary}" if viewer_summary else "",
        title=title.title,
        type="TV show" if title.type == "SHOW" else "film",
        year=title.release_year or "year unknown",
        genres=", ".join(title.genres) or "genre unknown",
        synopsis=synopsis[:700],
        credits=("; ".join(credit_bits) + ".") if credit_bits else "",
        title_emotions=", ".join(title.emotions),
    )


def stream_pitch(
    model: BaseChatModel,
    prompt: Prompt,
    title: StoredTitle,
    mood: str,
    mood_emotions: list[str],
    credits: Credits,
    viewer_summary: str = "",
    timeout_s: float = 60.0,
    max_tokens: int = 120,
) -> Iterator[PitchChunk]:
    """Yield pitch text as it is generated; on failure, yield the template with a notice."""
    messages = render_pitch_messages(prompt, title, mood, mood_emotions, credits, viewer_summary)
    started = time.monotonic()
    produced = ""
    try:
        for chunk in model.stream(messages, max_tokens=max_tokens, temperature=0.7):
            text = str(chunk.content)
            if text:
                produced += text
                yield PitchChunk(text)
            if time.monotonic() - started > timeout_s:
                raise TimeoutError(f"pitch took longer than {timeout_s:.0f} s")
        if produced.strip():
            return
        raise ValueError("the LLM returned an empty pitch")
    except Exception as exc:  # any backend failure degrades to the template
        log.warning("pitch for %s failed: %s", title.id, exc)
        if produced.strip():
            yield PitchChunk("…", fallback=True, notice=f"pitch cut short ({exc})")
            return
        yield PitchChunk(
            template_pitch(title, mood_emotions), fallback=True, notice=f"AI pitch unavailable ({exc})"
        )
