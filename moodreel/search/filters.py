"""Search filters: validated values -> a Milvus boolean expression.

Only validated values reach the expression: enums, numbers, and genre or
certification names that match a strict pattern, quoted with ``json.dumps``. User text
is never pasted into it.
"""

from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_NAME = re.compile(r"^[a-z][a-z0-9 &-]{0,31}$")
_CERT = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,15}$")


class SearchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["MOVIE", "SHOW"] | None = None
    genres: list[str] = Field(default_factory=list, description="Keep titles with any of these genres.")
    exclude_genres: list[str] = Field(default_factory=list, description="Drop titles with any of these.")
    min_year: int | None = Field(None, ge=1900, le=2100)
    max_year: int | None = Field(None, ge=1900, le=2100)
    max_runtime: int | None = Field(None, ge=1, le=1000, description="Minutes.")
    age_certifications: list[str] = Field(default_factory=list, description="e.g. PG, PG-13, TV-14.")
    min_imdb_score: float | None = Field(None, ge=0, le=10)

    @field_validator("type", mode="before")
    @classmethod
    def _upper_type(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("genres", "exclude_genres")
    @classmethod
    def _genre_names(cls, values: list[str]) -> list[str]:
        cleaned = []
        for value in values:
            name = value.strip().lower()
            if not _NAME.match(name):
                raise ValueError(f"not a genre name: {value!r}")
            cleaned.append(name)
        return sorted(set(cleaned))

    @field_validator("age_certifications")
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

    def expression(self) -> str:
        parts: list[str] = []
        if self.type:
            parts.append(f"type == {json.dumps(self.type)}")
        if self.genres:
            parts.append(f"array_contains_any(genres, {json.dumps(self.genres)})")
        if self.exclude_genres:
            parts.append(f"not array_contains_any(genres, {json.dumps(self.exclude_genres)})")
        if self.min_year is not None:
            parts.append(f"release_year >= {int(self.min_year)}")
        if self.max_year is not None:
            parts.append(f"(release_year >= 0 and release_year <= {int(self.max_year)})")
        if self.max_runtime is not None:
            parts.append(f"(runtime >= 0 and runtime <= {int(self.max_runtime)})")
        if self.age_certifications:
            parts.append(f"age_certification in {json.dumps(self.age_certifications)}")
        if self.min_imdb_score is not None:
            parts.append(f"imdb_score >= {float(self.min_imdb_score)}")
        return " and ".join(parts)
