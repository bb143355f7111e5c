"""The mood-parser interface: what every parser returns, and the one input cleaner.

A parser turns free text about how someone feels into 1 to 8 lower-case emotion words,
strongest first. ``clean_mood_text`` is applied by every parser before anything else,
so all of them reject the same unusable input with the same user-facing message.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from moodreel.errors import MoodreelError

MAX_MOOD_EMOTIONS = 8
_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
# Invisible format characters that only hide text (zero-width space, BOM, bidi overrides);
# the zero-width joiner (U+200D) stays: emoji sequences need it.
_INVISIBLE = {
    "\u200b",
    "\u2060",
    "\ufeff",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}


class MoodError(MoodreelError):
    """The mood text cannot be used; the message is fit to show the user."""


class MoodParse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    emotions: list[str] = Field(min_length=1, max_length=MAX_MOOD_EMOTIONS)
    parser: str
    scores: dict[str, float] = Field(default_factory=dict)

    @field_validator("emotions")
    @classmethod
    def _single_lower_words(cls, value: list[str]) -> list[str]:
        for word in value:
            if not _WORD.match(word):
                raise ValueError(f"emotion {word!r} is not one lower-case word")
        if len(set(value)) != len(value):
            raise ValueError("emotions repeat")
        return value


class MoodParser(Protocol):
    name: str

    def parse(self, text: str) -> MoodParse:
        """Emotions for one mood text; raises MoodError for unusable text."""
        ...


def _visible(char: str) -> bool:
    if char in _INVISIBLE:
        return False
    return unicodedata.category(char) not in ("Cc", "Cs")


def clean_mood_text(text: str, max_chars: int = 1000) -> str:
    """Strip, drop control characters, collapse whitespace, cut long text at a word boundary."""
    if not isinstance(text, str):
        raise MoodError("Tell me how you feel: the mood must be text.")
    text = _WHITESPACE.sub(" ", text)  # before dropping controls, so "\t" and "\n" become spaces
    text = "".join(char for char in text if _visible(char))
    text = _WHITESPACE.sub(" ", text).strip()
    if not text:
        raise MoodError("Tell me how you feel: the mood is empty.")
    if len(text) > max_chars:
        cut = text[:max_chars]
        space = cut.rfind(" ")
        text = (cut[:space] if space > max_chars // 2 else cut).rstrip()
    return text
