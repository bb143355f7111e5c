"""One personalized description of a title for a viewer (``moodreel describe`` / ``generate``).

The pitch prompt gets the viewer's short summary (top genres, favourite feelings, two
liked titles; never an id or the history) and no mood. A description shorter than
``MIN_WORDS`` (a terse model, or the template fallback) is topped up from facts:
the title's feelings, and a liked title only when it really shares a genre.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from moodreel.credits import Credits
from moodreel.profiles.profile import LIKED_MIN, ViewerProfile
from moodreel.prompts import Prompt
from moodreel.records import StoredTitle
from moodreel.search.pitch import stream_pitch

MIN_WORDS = 25
NO_MOOD = "no particular mood: suggest it for this viewer's taste"


def describe(
    chat_model: BaseChatModel,
    prompt: Prompt,
    title: StoredTitle,
    profile: ViewerProfile,
    credits: Credits,
    timeout_s: float,
    temperature: float = 0.7,
) -> str:
    """The pitch prompt (``prompt``) without a mood, for ``profile``, topped up to ``MIN_WORDS``."""
    chunks = stream_pitch(
        chat_model,
        prompt,
        title,
        NO_MOOD,
        profile.emotions[:3] or title.emotions[:3],
        credits,
        profile.summary(),
        timeout_s=timeout_s,
        temperature=temperature,
    )
    return top_up("".join(c.text for c in chunks).strip(), title, profile)


def top_up(text: str, title: StoredTitle, profile: ViewerProfile) -> str:
    """Make sure the description has at least ``MIN_WORDS`` words, adding only true facts."""
    extra = []
    if title.emotions:
        extra.append(
            f"It is a {'series' if title.type == 'SHOW' else 'film'} of {', '.join(title.emotions[:3])}."
        )
    shared = [
        (w.title, sorted(set(w.genres) & set(title.genres)))
        for w in profile.watched
        if w.rating >= LIKED_MIN and w.id != title.id and set(w.genres) & set(title.genres)
    ]
    if shared:
        name, genres = max(shared, key=lambda p: (len(p[1]), p[0]))
        extra.append(f"Like {name}, which you rated highly, it is {' and '.join(genres)}.")
    if title.description:
        extra.append(title.description)
    for sentence in extra:
        if len(text.split()) >= MIN_WORDS:
            break
        text = f"{text} {sentence}".strip()
    return text
