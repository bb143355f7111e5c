"""Search filters: validated values only (enums, numbers, names matching strict patterns).

The store alone turns them into its query language (``store.filter_expression``); user
text is never pasted into an expression. ``merge`` combines the viewer's explicit
filters with the constraints read from their mood text: an explicit filter always wins.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from moodreel.json_types import json_number

_NAME = re.compile(r"^[a-z][a-z0-9 &-]{0,31}$")
_CERT = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,15}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# the filters on list fields (genres, countries): the store may check these in Python
LIST_FIELDS = ("genres", "required_genres", "exclude_genres", "countries")
MAX_ITEMS = 50  # per list: more than any catalog has genres, and cheap to turn into an expression


class SearchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    type: Literal["MOVIE", "SHOW"] | None = None
    genres: list[str] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Keep titles with any of these genres."
    )
    exclude_genres: list[str] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Drop titles with any of these."
    )
    min_year: int | None = Field(None, ge=1900, le=2100)
    max_year: int | None = Field(None, ge=1900, le=2100)
    max_runtime: int | None = Field(None, ge=1, le=1000, description="Minutes.")
    age_certifications: list[str] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="e.g. PG, PG-13, TV-14."
    )
    min_imdb_score: float | None = Field(None, ge=0, le=10)
    required_genres: list[str] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Keep titles with all of these."
    )
    exclude_certifications: list[str] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Drop these certifications."
    )
    countries: list[str] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Production countries (ISO-2), any of."
    )

    _numbers = field_validator("min_year", "max_year", "max_runtime", "min_imdb_score", mode="before")(
        json_number
    )

    @field_validator("type", mode="before")
    @classmethod
    def _upper_type(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("genres", "exclude_genres", "required_genres")
    @classmethod
    def _genre_names(cls, values: list[str]) -> list[str]:
        cleaned = []
        for value in values:
            name = value.strip().lower()
            if not _NAME.match(name):
                raise ValueError(f"not a genre name: {value!r}")
            cleaned.append(name)
        return sorted(set(cleaned))

    @field_validator("countries")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        cleaned = []
        for value in values:
            code = value.strip().upper()
            if not _COUNTRY.match(code):
                raise ValueError(f"not a two-letter country code: {value!r}")
            cleaned.append(code)
        return sorted(set(cleaned))

    @field_validator("age_certifications", "exclude_certifications")
    @classmethod
    def _certs(cls, values: list[str]) -> list[str]:
        cleaned = []
        for value in values:
            name = value.strip().upper()
            if not _CERT.match(name):
                raise ValueError(f"not an age certification: {value!r}")
            cleaned.append(name)
        return sorted(set(cleaned))

    @model_validator(mode="after")
    def _ranges(self) -> SearchFilters:
        if self.min_year and self.max_year and self.min_year > self.max_year:
            raise ValueError(f"min_year {self.min_year} is after max_year {self.max_year}")
        return self

    def has_list_filters(self) -> bool:
        return any(getattr(self, name) for name in LIST_FIELDS)

    def without_list_filters(self) -> SearchFilters:
        """These filters, with those on genres and countries left out."""
        return self.model_copy(update={name: [] for name in LIST_FIELDS})

    def lists_admit(self, genres: list[str], countries: list[str]) -> bool:
        """Whether a title with these genres and production countries passes the filters on
        lists, as the store's expression does (``store.filter_expression``)."""
        have = set(genres)
        return (
            (not self.genres or bool(have & set(self.genres)))
            and all(g in have for g in self.required_genres)
            and not have & set(self.exclude_genres)
            and (not self.countries or bool(set(countries) & set(self.countries)))
        )

    def merge(self, inferred: SearchFilters) -> SearchFilters:
        """These (explicit) filters, with ``inferred`` ones filling what these leave open.
        A genre the viewer asked for explicitly is never excluded by an inferred one."""
        data = self.model_dump()
        for key, value in inferred.model_dump().items():
            if data[key] in (None, []):
                data[key] = value
        wanted = set(self.genres) | set(self.required_genres)
        data["exclude_genres"] = [g for g in data["exclude_genres"] if g not in wanted]
        if self.genres and not self.required_genres:  # the viewer's genres replace the format
            data["required_genres"] = [g for g in data["required_genres"] if g in self.genres]
        if self.age_certifications:
            data["exclude_certifications"] = [
                c for c in data["exclude_certifications"] if c not in self.age_certifications
            ]
        if data["min_year"] and data["max_year"] and data["min_year"] > data["max_year"]:
            data["min_year"], data["max_year"] = self.min_year, self.max_year
        return SearchFilters(**data)
