"""One personalized description of a title for a viewer (``moodreel describe`` / ``generate``).

The pitch prompt gets the viewer's short summary (top genres, favourite feelings, two
liked titles; never an id or the history) and no mood. A description shorter than
``MIN_WORDS`` (a terse model, or the template fallback) is topped up from facts:
the title's feelings, and a liked title only when it really shares a genre.
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel

from moodreel.credits import Credits
from moodreel.profiles.profile import LIKED_MIN, ViewerProfile
from moodreel.prompts import Prompt
from moodreel.records import StoredTitle
from moodreel.search.pitch import GENRE_WORDS, render_pitch_messages, stream_pitch

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
    llm_options: dict[str, Any] | None = None,
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
        llm_options=llm_options,
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


# What each kind of viewer cares about, said in one true sentence (the house style's second line).
def _emphasis(title: StoredTitle, profile: ViewerProfile) -> str:
    show = title.type == "SHOW"
    shared = [g for g in profile.top_genres if g in title.genres]
    runtime = f"{title.runtime}-minute " if title.runtime else ""
    if profile.viewer_type == "binge watcher":
        return (
            f"Its {runtime}episodes are made for one more before bed."
            if show
            else "A single sitting between seasons of your next series."
        )
    if profile.viewer_type == "casual viewer":
        return (
            f"Easy to start: a {runtime}{'series you can dip into' if show else 'film'}, no homework needed."
        )
    if profile.viewer_type == "explorer":
        return (
            f"A step beyond your usual {profile.top_genres[0]}."
            if profile.top_genres and not shared
            else "One more corner of the catalog worth exploring."
        )
    if shared:
        return f"Squarely in the {shared[0]} you love, and it commits to it."
    return "Made with the care you look for in what you finish."


def finetune_example(
    prompt: Prompt, title: StoredTitle, profile: ViewerProfile, credits: Credits
) -> dict[str, str]:
    """A starter training pair for ``moodreel finetune``: the describe prompt's user turn and a
    house-style description from the facts (the title, its genres and feelings, and what this
    kind of viewer cares about). Meant to be edited by hand before training."""
    messages = render_pitch_messages(
        prompt, title, NO_MOOD, profile.emotions[:3] or title.emotions[:3], credits, profile.summary()
    )
    kind = "series" if title.type == "SHOW" else "film"
    what = " and ".join(w for w in (GENRE_WORDS.get(g, g) for g in title.genres[:2]) if w)
    what = f"{what} {kind}" if what else kind
    article = "an" if what[0] in "aeiou" else "a"
    feels = title.emotions[:3]
    first = f"{title.title} is {article} {what}"
    first += f" full of {', '.join(feels[:-1])} and {feels[-1]}." if len(feels) > 1 else "."
    return {"prompt": str(messages[-1].content), "completion": f"{first} {_emphasis(title, profile)}"}
