"""Follow-ups: a second line of text that edits what a search understood, instead of replacing it.

``refine(state, text, shown) -> FollowUp`` reads one follow-up against the cards on
screen (``shown``, in order) and returns the new state; nothing here searches. A
follow-up is split at commas and "and"; each part is one edit:

- ``less violent``, ``not so dark``, ``no romance``, ``not anime``, ``without gore``: the
  words are read as the request's own negations are ("no violent", by
  ``understanding.read_request``) and added to what is avoided; "less"/"not so" push
  down (soft), "no"/"not"/"without" drop (a named genre leaves the results); the genres
  that carry the avoided feelings in the catalog (``feeling_genres``) are pushed down too,
  except those the request asked for;
- ``funnier``, ``scarier``, ``more romance``, ``more like a heist``: the words (a
  comparative read as its base: funnier -> funny) are read as a request and added in front;
- ``older`` / ``newer``: before / after the median year of the cards shown; ``shorter``:
  under three quarters of their median runtime, of the same type when most of them share
  one (shorter films, not series episodes); ``longer``: the length limit goes;
- ``only movies``, ``just series``, ``no series``: the type;
- ``more like the second one`` (first .. tenth, last, #3, "number 3"): search near that
  card, keeping the rest of the request; ``something else``: set the shown cards aside;
- anything else is read as a request (``in korean``, ``set in space``, ``for the kids``)
  and merged: new constraints replace old ones, new topics and feelings join.

Each edit leaves a note (``FollowUp.notes``) that the page shows as a chip beside the
understood ones, so what changed is visible; ``FollowUp.without`` removes chips again.
"""

from __future__ import annotations

import dataclasses
import re
import statistics
from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from moodreel.errors import MoodreelError
from moodreel.query import lexicon as lx
from moodreel.query.mood_query import MoodQuery
from moodreel.query.understanding import Understood, read_request
from moodreel.records import StoredTitle
from moodreel.signals import Layout, Weights

# "More like the second one": each of the query's vibe, plot and genre blocks becomes
# normalize(request + NEAR_WEIGHT * card), so the card leads and the request still steers.
NEAR_WEIGHT = 1.5
OLDER_DEFAULT = 2000  # "older" with no cards shown: before this year
SHORTER_SHARE = 0.75
TYPE_MAJORITY = 0.8  # "shorter" after mostly films: shorter films (an episode is not a short film)
_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bbut\b|\balso\b|\bplus\b)\s*")
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
    "6th": 6, "7th": 7, "8th": 8, "9th": 9, "10th": 10, "last": -1, "top": 1,
}  # fmt: skip
_NEAR = re.compile(
    r"^(?:(?:more|something|anything|others?|ones?|stuff)\s+)?(?:just\s+)?like\s+(?:the\s+)?"
    r"(?:(?P<ord>" + "|".join(_ORDINALS) + r")|#\s*(?P<num>\d{1,2})|(?:number|no\.?)\s*(?P<num2>\d{1,2}))"
    r"(?:\s+(?:one|pick|card|title|result))?$"
)
_ELSE = re.compile(
    r"^(?:show me |give me |try |any ?thing |some ?thing )?(?:else|different|other ones|others|"
    r"something else|anything else|new ones|more options|next|not these|none of these|different ones)$"
)
_LESS = re.compile(
    r"^(?:a bit |a little |much |way )?(?:less|fewer|not so|not as|not too|lower on)\s+(?P<x>.+)$"
)
_NOT = re.compile(r"^(?:no|not|nothing|without|skip|stop|none|no more|not any|zero)\s+(?P<x>.+)$")
_MORE = re.compile(r"^(?:a bit |a little |much |way |even )?(?:more|extra|add)\s+(?P<x>.+)$")
_ONLY = re.compile(r"^(?:only|just)\s+(?P<x>.+)$|^(?P<y>.+?)\s+only$")
_OLDER = re.compile(
    r"^(?:something |a bit |much )?(?:older|earlier|classics?|old ?school|vintage)(?: ones?)?$"
)
_NEWER = re.compile(
    r"^(?:something |a bit |much )?(?:newer|more recent|recent|later|fresher|modern)(?: ones?)?$"
)
_SHORTER = re.compile(r"^(?:something |a bit |much )?(?:shorter|quicker|not so long|less long)(?: ones?)?$")
_LONGER = re.compile(r"^(?:something |a bit |much )?(?:longer|epic|any length)(?: ones?)?$")
_FILLER = re.compile(
    r"^(?:(?:please|pls|ok|okay|hmm|now|maybe|actually|can you|could you|i want|i'd like)\s+)+"
)


class FollowUpError(MoodreelError):
    """A follow-up that cannot be applied (a card that is not on screen, nothing understood)."""


class FollowUp(BaseModel):
    """A search after follow-ups: the edited understanding, and what a vector or a filter
    must add to it (near a card, cards set aside). Sent back with the next follow-up."""

    model_config = ConfigDict(extra="forbid")

    understood: Understood
    near: list[str] = Field(
        default_factory=list, description="Ids of cards asked for more like (search near)."
    )
    near_titles: list[str] = Field(default_factory=list, description="Their names, for the chips.")
    exclude: list[str] = Field(default_factory=list, description="Ids set aside by 'something else'.")
    said: list[str] = Field(default_factory=list, description="The follow-ups applied, in order.")
    notes: list[str] = Field(default_factory=list, description="What each follow-up changed (chip labels).")

    def chips(self) -> list[str]:
        """The understood chips, then the follow-ups' own ("like: Heat", "not the 6 shown")."""
        out = self.understood.chips()
        out += [f"like: {name}" for name in self.near_titles]
        if self.exclude:
            out.append(f"not the {len(self.exclude)} shown")
        return out

    def without(self, chips: Sequence[str]) -> FollowUp:
        """The same search with the given chips (labels from ``chips()``) removed."""
        drop = set(chips)
        kept = [(i, n) for i, n in zip(self.near, self.near_titles) if f"like: {n}" not in drop]
        exclude = [] if any(c.startswith("not the ") and c.endswith(" shown") for c in drop) else self.exclude
        return self.model_copy(
            update={
                "understood": self.understood.without([c for c in chips if c in self.understood.chips()]),
                "near": [i for i, _ in kept],
                "near_titles": [n for _, n in kept],
                "exclude": list(exclude),
            }
        )


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def _base_word(word: str) -> str:
    """A comparative's base, when the tables know it: funnier -> funny, darker -> dark, sadder -> sad."""
    known = set(lx.WANTED_FEELINGS) | set(lx.GENRE_WORDS) | set(lx.AVOID_WORDS) | set(lx.REMEDIES)
    if word in known or len(word) < 5:
        return word
    stems = []
    if word.endswith("ier"):
        stems.append(word[:-3] + "y")
    if word.endswith("er"):
        stems += [word[:-2], word[:-1], word[:-3] if len(word) > 5 and word[-3] == word[-4] else word[:-2]]
    return next((s for s in stems if s in known), word)


def _merge_more(u: Understood, words: str) -> tuple[Understood, str]:
    text = " ".join(_base_word(w) for w in words.split())
    add = read_request(text)
    feelings = _unique(add.feelings + u.feelings)
    genres = _unique(add.genres + u.genres)
    update = {
        "feelings": feelings,
        "genres": genres,
        "topics": _unique(u.topics + add.topics),
        "avoid_feelings": [f for f in u.avoid_feelings if f not in add.feelings],
        "avoid_genres": [g for g in u.avoid_genres if g not in add.genres],
        "soft_avoid_genres": [g for g in u.soft_avoid_genres if g not in add.genres],
        "content": " ".join(p for p in (u.content, add.content) if p),
    }
    return u.model_copy(update=update | _constraints(add)), f"more: {text}"


GenresFor = Callable[[Sequence[str]], list[str]]


def _merge_avoid(
    u: Understood, words: str, hard: bool, genres_for: GenresFor | None
) -> tuple[Understood, str]:
    text = " ".join(_base_word(w) for w in words.split())
    add = read_request(f"no {text}.")
    if not add.avoid:
        raise FollowUpError(f"I could not tell what to leave out in {words!r}")
    hard_genres = add.avoid_genres if hard else []
    carrying = genres_for(add.avoid_feelings) if genres_for and add.avoid_feelings else []
    soft = add.soft_avoid_genres + ([] if hard else add.avoid_genres) + carrying
    avoided_feelings = set(add.avoid_feelings)
    update = {
        "avoid": _unique(u.avoid + add.avoid),
        "avoid_genres": _unique(u.avoid_genres + hard_genres),
        "avoid_feelings": _unique(u.avoid_feelings + add.avoid_feelings),
        "avoid_topics": _unique(u.avoid_topics + add.avoid_topics),
        "soft_avoid_genres": _unique(u.soft_avoid_genres + [g for g in soft if g not in u.genres or hard]),
        "feelings": [f for f in u.feelings if f not in avoided_feelings],
        # "less violent" after a thriller search keeps the thriller; only "no X" drops asked genres
        "genres": [g for g in u.genres if g not in set(hard_genres)],
        "required_genres": [g for g in u.required_genres if g not in set(hard_genres)],
        "topics": [t for t in u.topics if t not in set(add.avoid_topics)],
    }
    if hard and u.language and u.language in add.avoid:  # "not anime" after "anime": Japan goes too
        update.update(language=None, countries=[])
    return u.model_copy(update=update), f"{'no' if hard else 'less'}: {text}"


def _constraints(add: Understood) -> dict:
    """The hard constraints a follow-up read as a request sets (they replace the old ones)."""
    out: dict = {}
    if add.type:
        out["type"] = add.type
    if add.max_runtime:
        out["max_runtime"] = add.max_runtime
    if add.era:
        out.update(era=add.era, min_year=add.min_year, max_year=add.max_year)
    if add.audience:
        out["audience"] = add.audience
    if add.countries:
        out.update(countries=add.countries, language=add.language)
    return out


def _type(words: str) -> str | None:
    found = read_request(words).type
    if found is None and re.search(r"\b(?:series|shows?|tv|episodes?)\b", words):
        return "SHOW"
    if found is None and re.search(r"\b(?:movies?|films?|features?)\b", words):
        return "MOVIE"
    return found


def _majority_type(shown: Sequence[StoredTitle]) -> str | None:
    """The type of at least ``TYPE_MAJORITY`` of the cards shown, if one is."""
    for kind in ("MOVIE", "SHOW"):
        if shown and sum(t.type == kind for t in shown) >= TYPE_MAJORITY * len(shown):
            return kind
    return None


def _years(shown: Sequence[StoredTitle]) -> list[int]:
    return [t.release_year for t in shown if t.release_year]


def _apply(
    state: FollowUp, part: str, shown: Sequence[StoredTitle], genres_for: GenresFor | None
) -> FollowUp:
    u = state.understood
    near = _NEAR.match(part)
    if near:
        index = _ORDINALS.get(near.group("ord") or "", 0) or int(near.group("num") or near.group("num2") or 0)
        if not shown or index == 0 or index > len(shown):
            raise FollowUpError(f"there is no card {index if index > 0 else 'last'} on screen to search near")
        seed = shown[index - 1] if index > 0 else shown[-1]
        return state.model_copy(update={"near": [seed.id], "near_titles": [seed.title]})
    if _ELSE.match(part):
        if not shown:
            raise FollowUpError("there are no cards on screen to set aside")
        return state.model_copy(update={"exclude": _unique([*state.exclude, *(t.id for t in shown)])})
    if _OLDER.match(part) or _NEWER.match(part):
        years = _years(shown)
        older = bool(_OLDER.match(part))
        cut = int(statistics.median(years)) if years else OLDER_DEFAULT
        if older:
            low = u.min_year if u.min_year is not None and u.min_year < cut - 1 else None
            update = {"max_year": cut - 1, "min_year": low, "era": f"before {cut}"}
        else:
            high = u.max_year if u.max_year is not None and u.max_year > cut + 1 else None
            update = {"min_year": cut + 1, "max_year": high, "era": f"after {cut}"}
        return state.model_copy(update={"understood": u.model_copy(update=update)})
    if _SHORTER.match(part):
        kind = u.type or _majority_type(shown)  # shorter films, not episodes of a series instead
        runtimes = [t.runtime for t in shown if t.runtime and (kind is None or t.type == kind)]
        base = u.max_runtime or (statistics.median(runtimes) if runtimes else 120)
        limit = max(10, int(round(base * SHORTER_SHARE / 5.0) * 5))
        edited = u.model_copy(update={"max_runtime": limit, "type": kind})
        return state.model_copy(update={"understood": edited})
    if _LONGER.match(part):
        return state.model_copy(update={"understood": u.model_copy(update={"max_runtime": None})})
    only = _ONLY.match(part)
    if only and _type(only.group("x") or only.group("y")):
        kind = _type(only.group("x") or only.group("y"))
        return state.model_copy(update={"understood": u.model_copy(update={"type": kind})})
    negated = _NOT.match(part)
    if negated and re.fullmatch(r"(?:more )?(?:series|shows?|tv( shows)?|episodes)", negated.group("x")):
        return state.model_copy(update={"understood": u.model_copy(update={"type": "MOVIE"})})
    if negated and re.fullmatch(r"(?:more )?(?:movies?|films?)", negated.group("x")):
        return state.model_copy(update={"understood": u.model_copy(update={"type": "SHOW"})})
    less = _LESS.match(part)
    if less or negated:
        words = (less or negated).group("x")  # type: ignore[union-attr]
        edited, note = _merge_avoid(u, words, not less, genres_for)
        return state.model_copy(update={"understood": edited, "notes": [*state.notes, note]})
    more = _MORE.match(part)
    words = more.group("x") if more else part
    edited, note = _merge_more(u, words)
    if edited == u:
        raise FollowUpError(f"I did not understand the follow-up {part!r}")
    return state.model_copy(update={"understood": edited, "notes": [*state.notes, note]})


def refine(
    state: FollowUp, text: str, shown: Sequence[StoredTitle] = (), genres_for: GenresFor | None = None
) -> FollowUp:
    """``state`` edited by the follow-up ``text``; ``shown``: the cards on screen, in order;
    ``genres_for``: the genres that carry some feelings (``FeelingGenres.carrying``), pushed
    down with them by "less ..." (none: only the genres the request's own tables name)."""
    lowered = text.lower().replace("’", "'").strip(" .!?")
    lowered = _FILLER.sub("", lowered)
    parts = [p.strip(" .!?") for p in _SPLIT.split(lowered) if p and p.strip(" .!?")]
    if not parts:
        raise FollowUpError("say how to change the results: less violent, funnier, older, only movies, …")
    for part in parts:
        state = _apply(state, part, shown, genres_for)
    return state.model_copy(update={"said": [*state.said, text.strip()]})


def start(understood: Understood) -> FollowUp:
    """The state of a search before any follow-up."""
    return FollowUp(understood=understood)


MAX_ITEMS = 50
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def checked(understood: Understood) -> Understood:
    """An understanding sent back by a client, checked before it steers a search: known genre
    names, two-letter countries, at most ``MAX_ITEMS`` per list (``ValueError`` says which)."""
    from moodreel.vibes.lexicon import GENRES

    for name in ("genres", "avoid_genres", "soft_avoid_genres", "required_genres"):
        unknown = [g for g in getattr(understood, name) if g not in GENRES]
        if unknown:
            raise ValueError(f"{name}: not a catalog genre: {', '.join(map(repr, unknown[:5]))}")
    bad = [c for c in understood.countries if not _COUNTRY.match(c)]
    if bad:
        raise ValueError(f"countries: not a two-letter country code: {', '.join(map(repr, bad[:5]))}")
    for name, value in understood:
        if isinstance(value, list) and len(value) > MAX_ITEMS:
            raise ValueError(f"{name}: more than {MAX_ITEMS} items")
    return understood


def checked_follow_up(state: FollowUp) -> FollowUp:
    """A follow-up state sent back by a client: its understanding ``checked``, its ids catalog ids."""
    from moodreel.records import TITLE_ID_PATTERN

    checked(state.understood)
    bad = [i for i in state.near + state.exclude if not re.fullmatch(TITLE_ID_PATTERN, i)]
    if bad:
        raise ValueError(f"follow_up: not a catalog id: {', '.join(map(repr, bad[:5]))}")
    for name in ("near", "near_titles", "exclude", "said", "notes"):
        if len(getattr(state, name)) > 100:
            raise ValueError(f"follow_up.{name}: more than 100 items")
    return state


def _unit(v: np.ndarray) -> np.ndarray:
    return np.asarray(v, dtype=np.float32) / (float(np.linalg.norm(v)) or 1.0)


def toward(
    query: MoodQuery, seeds: Sequence[np.ndarray], layout: Layout, weight: float = NEAR_WEIGHT
) -> MoodQuery:
    """``query`` moved near the cards' stored vectors (``seeds``), block by block; the request's
    filters and re-ranking stay. Every block counts, even one the request left at zero."""
    if not seeds:
        return query
    seed = np.mean([_unit(s) for s in seeds], axis=0)

    def blend(own: np.ndarray, block: slice) -> np.ndarray:
        return _unit(_unit(own) + weight * _unit(seed[block])).astype(np.float32)

    w = query.weights
    weights = Weights(
        vibe=max(w.vibe, 0.3),
        plot=max(w.plot, 0.35),
        genre=max(w.genre, 0.3),
        quality=w.quality,
        known=w.known,
    )
    return dataclasses.replace(
        query,
        vibe=blend(query.vibe, layout.vibe),
        plot=blend(query.plot, layout.plot),
        genre_prior=blend(query.genre_prior, layout.genres),
        weights=weights,
        open=False,
    )
