"""The pitch a card gets when the LLM's drafts fail: two true sentences a person could have written.

The first says what the title is, by its kind (``title_kind``): "Ms. Pat: Y'all Wanna Hear
Something Crazy? is a 2022 stand-up comedy special from Ms. Pat.", "Money Heist: The
Phenomenon is a documentary about Money Heist.", "Kotaro Lives Alone is a 2021 animated
series." The second is the synopsis's own first sentence, when it fits the word budget (its
facts, in its words: nothing invented; the template quotes, where the LLM must not), else
its first clause, else what the viewer wished for. Never a list of
feelings ("a comedy film of laughter, lightheartedness and melancholy").
"""

from __future__ import annotations

import re

from moodreel.credits import Credits
from moodreel.records import StoredTitle
from moodreel.search.pitch_text import MAX_WORDS, split_sentences, words
from moodreel.search.title_kind import title_kind
from moodreel.search.untrusted import safe_synopsis

_CLAUSE = re.compile(r",\s|;\s|\s[-–—]\s")


def _first_line(title: StoredTitle, credits: Credits) -> str:
    kind = title_kind(title)
    year = f"{title.release_year} " if title.release_year else ""
    what = f"{year}{kind.phrase}"
    article = "an" if what[:1].lower() in "aeiou" or what[:2] in {"18", "80", "11"} else "a"
    line = f"{title.title} is {article} {what}"
    if kind.performer:
        line += f" from {kind.performer}"
    elif credits.cast and not kind.is_documentary and kind.kind != "stand-up special":
        line += f", starring {' and '.join(credits.cast[:2])}"
    return line.rstrip(".?!") + "."


def _stories(synopsis: str, room: int, title: str = "") -> list[str]:
    """The synopsis's first sentence if within ``room`` words, then its clauses that fit
    (longest first): what the template may say about the story."""
    sentences, _ = split_sentences(safe_synopsis(synopsis), title)
    sentences = [s for s in sentences if words(s) >= 6]  # "Mill Valley, Pennsylvania, 1968." is no story
    if not sentences:
        return []
    first = sentences[0]
    out = [first] if words(first) <= room else []
    cuts = [m.start() for m in _CLAUSE.finditer(first) if 6 <= words(first[: m.start()]) <= room]
    return out + [first[:c].rstrip(" ,;") + "." for c in reversed(cuts)]


def template_pitch(
    title: StoredTitle, mood_emotions: list[str], max_words: int = MAX_WORDS, credits: Credits | None = None
) -> str:
    """What the title is, then what its synopsis says it is about (see the module)."""
    first = _first_line(title, credits or Credits())
    for story in _stories(title.description, max_words - words(first), title.title)[:1]:
        return f"{first} {story}"
    wanted = " and ".join(mood_emotions[:2])
    return f"{first} A pick for when you want {wanted}." if wanted else first
