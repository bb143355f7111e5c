"""Saved searches: a viewer keeps a search (its understanding and follow-ups) under a name.

Opening one re-runs it against the catalog and taste of the day; titles it has not shown
before come first (``new_first``), then those it showed last time, each group in the
search's own order. Kept beside the viewer's feedback (``ProfileStore.saved``); ``forget-user``
removes them with everything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from moodreel.filters import SearchFilters
from moodreel.query.refine import FollowUp

MAX_SAVED = 50
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class SavedSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    mood: str = Field(max_length=10_000)
    follow_up: FollowUp
    filters: SearchFilters = Field(default_factory=SearchFilters)
    k: int = Field(10, ge=1, le=50)
    shown: list[str] = Field(default_factory=list, description="Ids shown when last opened (or saved).")


class SavedSearches(BaseModel):
    """One viewer's saved searches by name (at most ``MAX_SAVED``)."""

    model_config = ConfigDict(extra="forbid")

    searches: dict[str, SavedSearch] = Field(default_factory=dict, max_length=MAX_SAVED)


def new_first(ids: Sequence[str], seen: Sequence[str]) -> list[str]:
    """``ids`` with those not in ``seen`` first, each part in its own order."""
    before = set(seen)
    return [i for i in ids if i not in before] + [i for i in ids if i in before]
