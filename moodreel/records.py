"""Typed records that flow one way through the product.

``Title`` (catalog row) -> ``TitleVibes`` (emotions + emojis from an extractor)
-> ``StoredTitle`` (row in the vector store) -> ``Hit`` (search result).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Annotated, Literal

import emoji as emoji_lib
import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

TitleType = Literal["MOVIE", "SHOW"]
ExtractorName = Literal["llm", "fast"]

MAX_EMOTIONS = 8
_WORD = re.compile(r"^[a-z][a-z'-]{1,29}$")


@dataclass(frozen=True)
class StoreLimits:
    """What one stored title can hold: the one place these numbers live. ``store.py`` builds
    the Milvus schema from them and ``Title`` refuses a value beyond them, so a bad catalog
    row is reported with its line and field instead of failing a whole write (or being
    clipped without a word). Text limits count UTF-8 bytes, as Milvus' VARCHAR does."""

    id: int = 64
    title: int = 512
    type: int = 8
    description: int = 4096
    age_certification: int = 16
    genres: int = 16  # items
    genre: int = 32  # bytes per item
    production_countries: int = 16
    country: int = 8
    imdb_id: int = 16
    emotions: int = MAX_EMOTIONS
    emotion: int = 32
    emojis: int = 128
    extractor: int = 16
    content_hash: int = 32
    source_key: int = 256
    int64: int = 2**63 - 1
    float32: float = 3.4e38


LIMITS = StoreLimits()

# A catalog id: letters, digits and ``_ . : -`` only, starting with a letter or digit. Ids reach
# Milvus expressions (``MilvusClient.get`` writes ``id in ['<id>']``), so a quote, a backslash, a
# space or a bracket must never be one: ``Title`` refuses them, and every id a visitor sends is
# checked against the same pattern before it reaches the store (``is_title_id``).
TITLE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
_TITLE_ID = re.compile(TITLE_ID_PATTERN)


def is_title_id(value: object) -> bool:
    """Whether ``value`` has the catalog id format (and fits the store)."""
    return isinstance(value, str) and bool(_TITLE_ID.match(value)) and len(value) <= LIMITS.id


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


def _at_most(limit: int):
    def check(value: str) -> str:
        if utf8_length(value) > limit:
            raise ValueError(f"is {utf8_length(value):,} bytes long, the store holds at most {limit:,}")
        return value

    return AfterValidator(check)


def _list_at_most(items: int, each: int, what: str):
    def check(values: tuple[str, ...]) -> tuple[str, ...]:
        if len(values) > items:
            raise ValueError(f"has {len(values)} {what}s, the store holds at most {items}")
        for value in values:
            if utf8_length(value) > each:
                raise ValueError(f"{what} {value[:40]!r} is longer than {each} bytes (the store's limit)")
        return values

    return AfterValidator(check)


_Year = Annotated[int, Field(ge=1800, le=2200)]
_Count = Annotated[int, Field(ge=0, le=LIMITS.int64)]
_Float = Annotated[float, Field(ge=0, le=LIMITS.float32, allow_inf_nan=False)]


class Title(BaseModel):
    """One validated catalog row; every value fits the store (``LIMITS``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(min_length=1, pattern=TITLE_ID_PATTERN), _at_most(LIMITS.id)]
    title: Annotated[str, Field(min_length=1), _at_most(LIMITS.title)]
    description: Annotated[str, _at_most(LIMITS.description)] = ""
    type: TitleType
    genres: Annotated[tuple[str, ...], _list_at_most(LIMITS.genres, LIMITS.genre, "genre")] = ()
    release_year: _Year | None = None
    runtime: _Count | None = None
    age_certification: Annotated[str, _at_most(LIMITS.age_certification)] | None = None
    imdb_score: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] | None = None
    imdb_votes: _Count | None = None
    popularity: _Float | None = None
    production_countries: Annotated[
        tuple[str, ...], _list_at_most(LIMITS.production_countries, LIMITS.country, "country")
    ] = ()
    imdb_id: Annotated[str, Field(pattern=r"^tt\d{5,10}$"), _at_most(LIMITS.imdb_id)] | None = None

    def content_hash(self) -> str:
        """Hash of what an extractor reads: a change here means the vibes must be redone."""
        payload = json.dumps([self.title, self.description, self.type, list(self.genres)], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def normalize_emotions(raw: list[str]) -> list[str]:
    """Lower-case, single words, no duplicates, order kept, at most eight."""
    seen: list[str] = []
    for item in raw:
        word = item.strip().lower().strip('.,;:!"')
        if word and word not in seen:
            seen.append(word)
    return seen[:MAX_EMOTIONS]


def count_emojis(text: str) -> int:
    return emoji_lib.emoji_count(text)


class VibesAnswer(BaseModel):
    """What the LLM must return for one title (validated; a bad answer is retried once)."""

    model_config = ConfigDict(extra="forbid")

    # What constrained decoding asks for is in json_schema_extra (the schema is derived from
    # this model, llm/structured.json_schema): lower-case words, and an emoji string with no
    # letters, digits or punctuation (a 1.5B model otherwise writes "taxi 🚕"). The
    # validators below are more lenient, for endpoints without constrained decoding.
    emotions: list[str] = Field(
        min_length=3,
        max_length=12,
        json_schema_extra={"items": {"type": "string", "pattern": "^[a-z]{3,16}$"}},
    )
    emojis: str = Field(json_schema_extra={"pattern": '^[^a-zA-Z0-9#*, .\\\\"]{2,12}$'})

    @field_validator("emotions")
    @classmethod
    def _single_words(cls, value: list[str]) -> list[str]:
        words = normalize_emotions(value)
        bad = [w for w in words if not _WORD.match(w)]
        if bad:
            raise ValueError(f"emotions must be single lower-case words, got {bad}")
        if len(words) < 3:
            raise ValueError("give at least 3 different emotions")
        return words

    @field_validator("emojis")
    @classmethod
    def _only_emojis(cls, value: str) -> str:
        leftover = emoji_lib.replace_emoji(value, "").replace("\u200d", "").replace("\ufe0f", "")
        if leftover.strip(" ,") != "":
            raise ValueError("emojis must contain only emoji characters, no words")
        kept = "".join(e["emoji"] for e in emoji_lib.emoji_list(value))
        if count_emojis(kept) < 2:
            raise ValueError("emojis must hold 2 to 5 emoji characters summarizing the plot")
        return "".join(e["emoji"] for e in emoji_lib.emoji_list(kept)[:5])


class TitleVibes(BaseModel):
    """The vibes of one title and where they came from."""

    model_config = ConfigDict(extra="forbid")

    id: str
    content_hash: str
    emotions: list[str] = Field(min_length=1, max_length=MAX_EMOTIONS)
    emojis: str
    extractor: ExtractorName
    model: str = ""
    prompt_version: str = ""

    @property
    def source_key(self) -> str:
        """Identifies what produced these vibes; part of the store's change detection."""
        return f"{self.extractor}:{self.model}:{self.prompt_version}"


class StoredTitle(BaseModel):
    """A title as kept in the vector store (vector aside)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    title: str
    type: str
    description: str = ""
    genres: list[str] = []
    release_year: int | None = None
    runtime: int | None = None
    age_certification: str | None = None
    imdb_score: float | None = None
    imdb_votes: int | None = None
    popularity: float | None = None
    production_countries: list[str] = []
    imdb_id: str | None = None
    emotions: list[str] = []
    emojis: str = ""
    extractor: str = ""
    content_hash: str = ""
    source_key: str = ""


@dataclass(frozen=True)
class IndexedTitle:
    """A title ready for the store: its catalog row, its vibes and its fused vector."""

    title: Title
    vibes: TitleVibes
    vector: np.ndarray


class Hit(BaseModel):
    """One search result: a stored title, its fused score for the query and, when asked
    for, its stored vector (to tell the signals apart)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    title: StoredTitle
    similarity: float
    vector: np.ndarray | None = Field(None, exclude=True, repr=False)
