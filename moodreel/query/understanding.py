"""Read a mood request: what the viewer wants, what they avoid, and the hard constraints.

``read_request(text) -> Understood`` is rule-based and needs no model (well under a
millisecond). It separates:

- what the viewer feels now from what they want ("heartbroken, cheer me up": the search
  is for joy and warmth, not heartbreak). Clauses with a want marker ("need", "make me",
  "in the mood for", ...) are the request; clauses that only describe the viewer ("ugh,
  rough week") are not searched. With no want marker the whole text is the request.
- negations ("nothing scary", "no romance", "not too sad"): a negated genre is dropped
  by a filter, a negated feeling is pushed down, any other negated word is a topic to
  stay away from;
- topics (content words the tables below do not know: "heist", "trenches", "chefs"),
  named genres, audience ("with my kids, 7 and 10"), format (series, movie, animated,
  short), era ("80s", "classic", "recent") and country or language ("Korean").

What it cannot read it leaves to the vectors: the plot vector sees the request text and
the vibe vector sees its feeling words, so an unknown word still counts, just softly.
"""

from __future__ import annotations

import re
from typing import Literal

from lemminflect import getAllLemmas
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from moodreel.json_types import json_number
from moodreel.query import lexicon as lx
from moodreel.query.vocabulary import Vocabulary
from moodreel.vibes.lexicon import EMOTIONS

Audience = Literal["kids", "family", "teens", "date", "adults", "seniors"]

_TOKEN = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")
_CLAUSE_SPLIT = re.compile(r"[,.;!?:()\n]+|\s(?:but|so|because|cause|cuz|although|though|and i|and i'm)\s")
# A negation covers the next words up to a clause end; "no gore or torture" negates both.
_NEGATED = re.compile(
    rf"\b{lx.NEGATION}\b\s+((?:[a-z'-]+\s*){{1,6}}?)"
    r"(?=$|[,.;!?]|\s(?:but|please|pls|i|we|just|keep|want|more|rather|for|tonight|today|at all)\b)"
)
# "less scary", "not as dark": the same words, pushed down rather than ruled out.
_SOFTENED = re.compile(
    r"\b(?:less|not as|not so)\s+(?!than\b)([a-z'-]+(?:\s+[a-z'-]+){0,3}?)"
    r"(?=\s*(?:$|[,.;!?])|\s(?:as|but|please|pls|than|and|or|i|we|just|for|tonight|today)\b)"
)
_FILLER = frozenset(
    [
        "too",
        "any",
        "more",
        "really",
        "very",
        "that",
        "that's",
        "thing",
        "things",
        "stuff",
        "movies",
        "movie",
        "films",
        "film",
        "shows",
        "show",
        "a",
        "an",
        "the",
        "of",
        "with",
        "at",
        "all",
        "please",
        "so",
        "much",
        "anything",
        "something",
        "ones",
        "one",
        "kind",
        "type",
    ]
)
_DECADE = re.compile(r"\b(?:(19|20)?([0-9])0)'?s\b")
_DECADE_WORDS = {
    "fifties": 1950, "sixties": 1960, "seventies": 1970, "eighties": 1980, "nineties": 1990,
    "noughties": 2000,
}  # fmt: skip
_BEFORE_AFTER = re.compile(r"\b(before|after|since|pre|post|older than|newer than)[- ]?(19\d\d|20\d\d)\b")
_MINUTES = re.compile(
    r"\b(?:under|less than|shorter than|max|at most|no longer than|within|below|up to)\s+"
    r"(\d{1,3})\s*(min|mins|minutes|minute|h|hr|hrs|hour|hours)\b"
)
_AGES = re.compile(r"\b(\d{1,2})\s*(?:and|&|,)\s*(\d{1,2})\b|\b(\d{1,2})[- ]?(?:year|yr)s?[- ]?olds?\b")
_FELT_MARKERS = (
    "i'm", "im ", "i am", "i feel", "i've been", "ive been", "feeling", "after a", "after my", "ugh",
    "rough", "long day", "long week", "tired", "exhausted", "stressed", "burnt out", "burned out",
    "had a", "just got", "just broke", "my day", "at work", "so done",
)  # fmt: skip
# sklearn's list holds a few plot words ("con" artists, "fire", "system"): those stay topics.
_STOP = frozenset(ENGLISH_STOP_WORDS) - {
    "con", "fire", "system", "bill", "mill", "interest", "front", "bottom", "cry", "computer", "thick",
    "thin", "empty", "full",
}  # fmt: skip
# Words too generic to say anything about plot or genre ("a good cry": the cry matters).
_GENERIC = frozenset(
    [
        "good",
        "great",
        "nice",
        "best",
        "better",
        "bad",
        "fine",
        "cool",
        "awesome",
        "mood",
        "vibe",
        "vibes",
        "stuff",
        "thing",
    ]
)
_NON_TOPIC = lx.NON_TOPIC_WORDS | _STOP | frozenset(EMOTIONS)


class Understood(BaseModel):
    """What the request asks for. Hard constraints become filters, the rest boosts."""

    model_config = ConfigDict(extra="forbid")

    feelings: list[str] = Field(default_factory=list, description="Feelings wanted (vibe words).")
    felt: list[str] = Field(default_factory=list, description="How the viewer says they feel now.")
    avoid: list[str] = Field(default_factory=list, description="What the viewer said no to, in their words.")
    avoid_genres: list[str] = Field(default_factory=list, description="Genres dropped (hard).")
    avoid_feelings: list[str] = Field(default_factory=list, description="Feelings pushed down (soft).")
    avoid_topics: list[str] = Field(default_factory=list, description="Plot words pushed down (soft).")
    soft_avoid_genres: list[str] = Field(default_factory=list, description="Genres pushed down (soft).")
    genres: list[str] = Field(default_factory=list, description="Genres named or implied (soft, strong).")
    required_genres: list[str] = Field(default_factory=list, description="Formats as genres (hard).")
    topics: list[str] = Field(default_factory=list, description="Plot topics and settings.")
    audience: Audience | None = None
    max_certification: str | None = Field(
        None,
        description="The most a title's certification may allow (PG, PG-13, ...), inferred from who watches.",
    )
    type: Literal["MOVIE", "SHOW"] | None = None
    max_runtime: int | None = None
    min_year: int | None = None
    max_year: int | None = None

    # an Understood also comes back from clients (a follow-up sends the previous one): its
    # numbers are JSON numbers, never text or booleans (1990.0 is 1990, as JSON Schema says)
    _numbers = field_validator("max_runtime", "min_year", "max_year", mode="before")(json_number)
    era: str | None = None
    countries: list[str] = Field(default_factory=list, description="ISO-2 production countries (hard).")
    language: str | None = Field(None, description="The country or language word the viewer used.")
    like_titles: list[str] = Field(
        default_factory=list,
        description='Catalog titles named as the model of what is wanted ("like Queer Eye"), by id.',
    )
    references: list[str] = Field(
        default_factory=list,
        description='What the request likens itself to, as said ("like harry potter"), found in the catalog or not.',
    )
    request: str = Field("", description="The part of the text that says what is wanted.")
    content: str = Field(
        "",
        description="The request without idioms and the words read as constraints: what plot and genre see.",
    )
    felt_text: str = Field("", exclude=True, description="The part that only says how the viewer feels.")
    ceiling_said: str | None = Field(
        None, exclude=True, description="The certification ceiling from stated sensibilities alone."
    )

    @property
    def is_open(self) -> bool:
        """Nothing specific asked ("something good tonight"): taste may lead."""
        return not (self.feelings or self.topics or self.genres or self.required_genres or self.like_titles)

    def chips(self) -> list[str]:
        """One short label per understood item, as shown (and removable) in the page."""
        out = [f"like: {r}" for r, known in zip(self.references, self._known_references()) if known]
        out += [f"feel: {w}" for w in self.feelings[:4]]
        out += [f"topic: {t}" for t in self.topics]
        out += [f"genre: {g}" for g in self.genres]
        out += [f"format: {g}" for g in self.required_genres]
        out += [f"avoid: {a}" for a in self.avoid]
        if self.audience:
            out.append(f"audience: {self.audience}")
        if self.max_certification:
            out.append(f"rated {self.max_certification} or lower")
        if self.type:
            out.append(f"type: {self.type.lower()}")
        if self.max_runtime:
            out.append(f"under {self.max_runtime} min")
        if self.era:
            out.append(f"era: {self.era}")
        if self.language:
            out.append(f"from: {self.language}")
        return out

    def _known_references(self) -> list[bool]:
        """Which of ``references`` name a catalog title (the first ``len(like_titles)`` do)."""
        return [i < len(self.like_titles) for i in range(len(self.references))]

    def without(self, chips: list[str]) -> Understood:
        """The same understanding with the given chips (labels from ``chips()``) removed."""
        if not chips:
            return self
        drop = set(chips)
        data = {key: list(value) if isinstance(value, list) else value for key, value in self}  # all fields
        for key, prefix in (
            ("feelings", "feel: "), ("topics", "topic: "), ("genres", "genre: "),
            ("required_genres", "format: "), ("avoid", "avoid: "),
        ):  # fmt: skip
            data[key] = [v for v in data[key] if prefix + v not in drop]
        kept_refs = [
            (r, t) for r, t in zip(data["references"], data["like_titles"]) if f"like: {r}" not in drop
        ]
        unknown = data["references"][len(data["like_titles"]) :]
        data["references"] = [r for r, _ in kept_refs] + unknown
        data["like_titles"] = [t for _, t in kept_refs]
        if any(c.startswith("avoid: ") for c in drop):
            kept = (
                read_request(" ".join(_as_said(a) for a in data["avoid"])) if data["avoid"] else Understood()
            )
            for key in ("avoid_genres", "avoid_feelings", "avoid_topics", "soft_avoid_genres"):
                data[key] = getattr(kept, key)
        if data["audience"] and f"audience: {data['audience']}" in drop:
            implied = set(lx.AUDIENCE_GENRES[data["audience"]])
            data["genres"] = [g for g in data["genres"] if g not in implied]
            said = (
                read_request(" ".join(_as_said(a) for a in data["avoid"])).avoid_genres
                if data["avoid"]
                else []
            )
            excluded = set(lx.AUDIENCE_AVOID_GENRES.get(data["audience"], ())) - set(said)
            data["avoid_genres"] = [g for g in data["avoid_genres"] if g not in excluded]
            data["audience"] = None
            data["max_certification"] = data["ceiling_said"]  # the audience's ceiling goes with it
        if data["max_certification"] and f"rated {data['max_certification']} or lower" in drop:
            data["max_certification"] = None
        if data["type"] and f"type: {data['type'].lower()}" in drop:
            data["type"] = None
        if data["max_runtime"] and f"under {data['max_runtime']} min" in drop:
            data["max_runtime"] = None
        if data["era"] and f"era: {data['era']}" in drop:
            data.update(era=None, min_year=None, max_year=None)
        if data["language"] and f"from: {data['language']}" in drop:
            data.update(language=None, countries=[])
        return Understood(**data)


def _as_said(avoided: str) -> str:
    """An ``avoid`` entry as a sentence that reads back to it ("less scary." / "no gore.")."""
    return f"{avoided}." if avoided.startswith("less ") else f"no {avoided}."


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _has(text: str, phrase: str) -> bool:
    """``phrase`` whole in ``text``, its last word also in the plural ("period pieces")."""
    return re.search(rf"(?<![a-z]){re.escape(phrase)}(?:e?s)?(?![a-z])", text) is not None


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def _cut_out(pattern: re.Pattern, text: str) -> tuple[list[list[str]], str]:
    """The words (fillers left out) of each match of ``pattern`` that has some, and the text
    with those matches cut out (a clause break in their place)."""
    found, spans = [], []
    for match in pattern.finditer(text):
        words = [w for w in _words(match.group(1)) if w not in _FILLER]
        if words:
            found.append(words)
            spans.append(match.span())
    for start, end in reversed(spans):
        text = text[:start] + " , " + text[end:]
    return found, text


def _avoid_base(word: str) -> str:
    """``word`` without a plural "s" where the singular is an avoid word ("explosions")."""
    return word[:-1] if word.endswith("s") and word[:-1] in lx.AVOID_WORDS else word


def _softened(text: str, out: dict) -> str:
    """Record softened words ("less scary": ``avoid`` gets "less scary") in ``out``: their
    feelings are avoided, their genres only pushed down; return the text without them."""
    found, text = _cut_out(_SOFTENED, text)
    for words in found:
        for word in words:
            base = _avoid_base(word)
            if base in lx.AVOID_WORDS:
                genres, feelings = lx.AVOID_WORDS[base]
                out["avoid_feelings"] += feelings
                out["soft_avoid_genres"] += [*genres, *lx.AVOID_FEELING_GENRES.get(base, ())]
            elif word in lx.GENRE_WORDS:
                out["soft_avoid_genres"] += lx.GENRE_WORDS[word]
            elif word in _NON_TOPIC or len(word) <= 2:
                continue
            else:
                out["avoid_topics"].append(word)
            out["avoid"].append(f"less {word}")
    return text


def _negations(text: str, out: dict) -> str:
    """Record negated words in ``out`` (softened ones first, ``_softened``); return the text
    without the negated spans."""
    found, text = _cut_out(_NEGATED, _softened(text, out))
    for words in found:
        for word in words:
            base = _avoid_base(word)
            if word in lx.CEILING_WORDS:
                out["avoid"].append(word)
                out["ceiling_said"] = _lower_ceiling(out.get("ceiling_said"), lx.CEILING_WORDS[word])
                if word.startswith("sex") or word in ("nudity", "nude", "explicit", "raunchy", "smut"):
                    out["avoid_topics"].append("sex")
                continue
            if word in lx.SUBTITLE_WORDS:
                out["avoid"].append(word)
                out["english_only"] = True
                continue
            if base in lx.AVOID_WORDS:
                genres, feelings = lx.AVOID_WORDS[base]
                out["avoid"].append(word)
                out["avoid_genres"] += genres
                out["avoid_feelings"] += feelings
                out["soft_avoid_genres"] += lx.AVOID_FEELING_GENRES.get(base, ())
            elif word in lx.GENRE_WORDS:
                out["avoid"].append(word)
                out["avoid_genres"] += lx.GENRE_WORDS[word]
            elif word in ("kids", "kid", "children", "childish"):
                out["avoid"].append(word)
                out["avoid_genres"] += ["family"]
            elif word not in _NON_TOPIC and len(word) > 2:
                out["avoid"].append(word)
                out["avoid_topics"].append(word)
    return text


def _lower_ceiling(current: str | None, new: str | None) -> str | None:
    """The stricter of two certification ceilings."""
    if current is None or new is None:
        return current or new
    return new if lx.CERTIFICATION_RANK[new] < lx.CERTIFICATION_RANK[current] else current


# What someone likes or wants, in any person ("my dad loves westerns", "she's really into
# k-dramas", "my teenage son wants explosions", "i like slow burns"): a clause saying it asks.
_TASTE = re.compile(
    r"\b(?:loves|likes|enjoys|prefers|adores|wants|needs|digs|(?:is|are|am|'s|'re|'m|super|really|so|big|"
    r"totally|very) into|obsessed with|(?:a )?fan of|(?:a )?sucker for|crazy about|nuts about|big on|"
    r"can'?t get enough of|(?:i|we|they|you|both|all) (?:really |just |do |kinda |totally )?(?:like|love|enjoy|prefer))\b"
)


def _asks(clause: str) -> bool:
    """Does the clause ask for something ("need", "make me", "cheer me up", "she loves ...")?"""
    padded = f" {clause} "
    return (
        any(_has(padded, m) for m in lx.WANT_MARKERS)
        or any(_has(padded, r) for r in lx.REMEDIES)
        or _TASTE.search(clause) is not None
    )


def _request_part(text: str) -> tuple[str, list[str], str]:
    """(the clauses that say what is wanted, words of the clauses that only say how one
    feels, those clauses)."""
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]
    asks = [_asks(clause) for clause in clauses]
    first_ask = asks.index(True) if True in asks else 0  # no ask: nothing is "before" it
    wanted, felt = [], []
    for i, clause in enumerate(clauses):
        feels = any(m in f" {clause} " for m in _FELT_MARKERS)
        # a clause before the first ask that talks about the viewer describes them
        before_ask = i < first_ask and bool(lx.FELT_WORDS.intersection(_words(clause)))
        # "nostalgic for the old west", "homesick for korea": what one longs for is wanted
        longs = bool(re.search(r"\b(?:for|about)\s+(?:the\s+)?[a-z]", clause)) and not re.search(
            r"\b(?:for|about)\s+(?:work|my|me|the day|the week|hours?|ages|days|weeks)\b", clause
        )
        is_felt = not asks[i] and (feels or before_ask) and not longs
        (felt if is_felt else wanted).append(clause)
    if not wanted:
        return text, [], ""
    out_felt = ", ".join(felt)
    felt_words = [w for c in felt for w in _words(c) if w not in _STOP and len(w) > 2]
    return ", ".join(wanted), felt_words, out_felt


# "old west", "old school", "new york": an era word that is part of a name or a setting.
_NOT_ERA_AFTER = "west|school|man|men|woman|lady|friends?|flame|days|york|world|girl|boy|testament|age"


def _decade_start(match: re.Match) -> int:
    century, tens = match.group(1), int(match.group(2))
    return (int(century) * 100 if century else (2000 if tens <= 2 else 1900)) + tens * 10


def _era(text: str, out: dict) -> None:
    """Decades ("80s or 90s", "early 2000s", "before the 80s"), years ("2019 or newer",
    "nothing older than 2015", "from 2022") and era words ("classic", "recent")."""
    text = _AGE_DECADE.sub(" ", text)  # "they're in their 70s": an age, not an era
    text = _AGES.sub(" ", text)  # "my 5 year old": an age, not "old" films
    decades = [(m, _decade_start(m)) for m in _DECADE.finditer(text)]
    decades += [(None, start) for word, start in _DECADE_WORDS.items() if _has(text, word)]
    decades = [(m, d) for m, d in decades if 1900 <= d <= 2020]
    if decades:
        first, last = min(d for _, d in decades), max(d for _, d in decades)
        low, high = first, last + 9
        before = text[: decades[0][0].start()] if decades[0][0] else ""
        if re.search(r"\b(?:before|pre|older than|earlier than)[- ](?:the )?$", before):
            low, high = None, first - 1
        elif re.search(r"\b(?:after|since|post|newer than)[- ](?:the )?$", before):
            low, high = (first if "since" in before[-8:] else first + 10), None
        elif re.search(r"\bearly[- ]$", before):
            high = first + 5
        elif re.search(r"\b(?:late|later)[- ]$", before):
            low = first + 5
        label = f"{first}s" if first == last else f"{first}s-{last}s"
        if low is None:
            label = f"before the {first}s"
        elif high is None:
            label = f"after the {first}s" if low > first else f"since the {first}s"
        out.update(min_year=low, max_year=high, era=label)
        return
    match = re.search(r"\b(19\d\d|20[0-3]\d)\b", text)
    if match:
        year = int(match.group(1))
        before, after = text[: match.start()], text[match.end() :]
        if re.search(
            r"^\s*(?:or|and) (?:newer|later|after|up)|^\s*(?:onwards?|and up|\+)", after
        ) or re.search(
            r"(?:nothing older than|not older than|no older than|newer than|after|since|from after)\s*$",
            before,
        ):
            low = year + 1 if re.search(r"(?:newer than|after)\s*$", before) else year
            out.update(min_year=low, era=f"{low} or newer")
        elif re.search(r"^\s*(?:or|and) (?:older|earlier|before)", after) or re.search(
            r"(?:older than|before|earlier than|prior to)\s*$", before
        ):
            high = year if re.search(r"^\s*(?:or|and)", after) else year - 1
            out.update(max_year=high, era=f"{high} or older")
        else:
            out.update(min_year=year, max_year=year, era=str(year))
        return
    said = [
        (phrase, low, high)
        for phrase, (low, high) in lx.ERA_WORDS.items()
        if _has(text, phrase) and not re.search(rf"\b{re.escape(phrase)} (?:{_NOT_ERA_AFTER})\b", text)
    ]
    if said:  # "an old black and white classic": the strictest of them
        phrase, low, high = min(said, key=lambda e: (e[2] or 9999, -(e[1] or 0)))
        out.update(min_year=low, max_year=high, era=phrase)


def _format(text: str, out: dict) -> None:
    show = any(_has(text, w) for w in lx.SHOW_WORDS if w != "show") or re.search(
        r"\bshow\b(?!\s+(?:me|us|him|her|them))", text
    )
    movie = any(_has(text, w) for w in lx.MOVIE_WORDS)
    if show and not movie:
        out["type"] = "SHOW"
    elif movie and not show:
        out["type"] = "MOVIE"
    match = _MINUTES.search(text)
    if match:
        value = int(match.group(1))
        out["max_runtime"] = value * 60 if match.group(2).startswith("h") else value
    elif any(_has(text, w) for w in lx.SHORT_WORDS):
        out["max_runtime"] = 30 if out.get("type") == "SHOW" or "episode" in text else 95
    for word in ("animated", "animation", "cartoon", "cartoons", "anime", "pixar"):
        if _has(text, word):
            out["required_genres"].append("animation")
    for word in ("documentary", "documentaries", "docuseries", "docu", "true story", "real story"):
        if _has(text, word):
            out["required_genres"].append("documentation")
    if _has(text, "reality show") or _has(text, "reality tv"):
        out["required_genres"].append("reality")


_AGE_AFTER_PERSON = re.compile(
    r"\b(?:is|are|turned|turns|aged?|age)\s+(\d{1,2})\b(?!\s*(?:min|minutes|hours?|pm|am|%))"
)
_AGE_DECADE = re.compile(r"\b(?:in (?:their|her|his|my|our) )(?:early |late )?(\d)0s\b")


def _audience(text: str, out: dict) -> None:
    """Who is watching: people ("my grandma", "the kids", "date night"), ages ("my 5 year
    old", "kids are 8 and 11", "she's 12"), and the certification ceiling they imply (the
    youngest viewer's, or the audience's)."""
    phrases = [phrase for phrase in lx.AUDIENCE_WORDS if _has(text, phrase)]
    # the longest reading wins: "my parents" (older viewers), not "parents" (of kids)
    phrases = [p for p in phrases if not any(p != q and _has(q, p) for q in phrases)]
    out["audience_words"] = {w for p in phrases for w in _words(p)}
    found = [lx.AUDIENCE_WORDS[p] for p in phrases]
    ages = [int(a) for m in _AGES.finditer(text) for a in m.groups() if a]
    if found:
        ages += [int(m.group(1)) for m in _AGE_AFTER_PERSON.finditer(text)]
    ages = [a for a in ages if 0 < a < 18]
    audience = None
    for choice in ("kids", "teens", "family", "seniors", "date", "adults"):
        if choice in found:
            audience = choice
            break
    if ages:
        youngest = min(ages)
        if youngest < 13 and (audience in (None, "family", "kids", "seniors", "teens") and
                              (found or "old" in text)):  # fmt: skip
            audience = "kids"
        elif youngest >= 13 and audience in (None, "kids", "family"):
            audience = "teens"
    if "teens" in found and not any(a < 13 for a in ages) and audience == "kids":
        audience = "teens"  # "my teenage kids"
    if audience is None:
        return
    out["audience"] = audience
    ceiling = lx.AUDIENCE_CEILINGS.get(audience)
    if ages and audience in ("kids", "teens"):
        youngest = min(ages)
        ceiling = next((c for limit, c in lx.AGE_CEILINGS if youngest <= limit), ceiling)
    if any(_has(text, w) for w in ("toddler", "toddlers", "preschooler", "preschoolers", "baby")):
        ceiling = "G"
    out["audience_ceiling"] = ceiling


def _side_watching(text: str, out: dict) -> None:
    """On in the background, half-watched: light grown-up watching (not preschool TV)."""
    if any(_has(text, phrase) for phrase in lx.SIDE_WATCHING):
        out["feelings"] += lx.SIDE_WATCHING_FEELINGS
        out["genres"] += lx.SIDE_WATCHING_GENRES
        out["soft_avoid_genres"] += lx.SOOTHING_AVOID_GENRES
        if out.get("audience") is None:
            out["audience"] = "adults"


def _countries(text: str, out: dict) -> None:
    for phrase, codes in lx.COUNTRY_WORDS.items():
        if _has(text, phrase):
            if phrase == "english" and ("english-language" in text or "in english" in text):
                continue
            out["countries"] += codes
            out["language"] = out.get("language") or phrase


_CONSTRAINT_WORDS = (
    frozenset(lx.SHOW_WORDS) | frozenset(lx.MOVIE_WORDS) | frozenset(lx.SHORT_WORDS)
    | frozenset(lx.COUNTRY_WORDS) | frozenset(lx.ERA_WORDS) | frozenset(_DECADE_WORDS) | _GENERIC
    | frozenset(["tv", "watch", "watching", "binge", "tonight", "weekend", "something", "anything", "want", "need", "minutes", "hour", "hours"])
)  # fmt: skip


def _content(scan: str) -> str:
    """What the plot and genre signals read: no idioms, no format/era/audience/country words."""
    words = [
        w for w in _words(scan)
        if len(w) > 1 and w not in _CONSTRAINT_WORDS and not _DECADE.fullmatch(w) and w not in _STOP
    ]  # fmt: skip
    return " ".join(words)


def _topics(scan: str, known: set[str], vocabulary: Vocabulary | None, out: dict) -> None:
    """Plot topics. With the catalog's vocabulary: its mined phrases whole ("new york",
    "coming of age") and each word that carries content for this catalog ("heist", not
    "set" or "world"). Without one: runs of up to three words the tables do not know."""
    said_phrases = set(lx.GENRE_PHRASES) | set(lx.ERA_WORDS) | set(lx.REMEDIES)
    if vocabulary is not None:
        for phrase in vocabulary.phrases_in(scan):
            words = phrase.split()
            if phrase in said_phrases or all(w in _NON_TOPIC or w in known for w in words):
                continue
            if re.search(rf"\b(?:my|our|his|her|their) {re.escape(phrase)}\b", scan):
                continue  # "my little sister": who watches
            out["topics"].append(phrase)
            scan = re.sub(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", " , ", scan)
    for phrase in lx.ERA_WORDS:  # "an old black and white classic": no topic "black"
        scan = re.sub(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])(?! (?:{_NOT_ERA_AFTER})\b)", " , ", scan)
    # "my roommate", "her little brother": the people watching, not what the plot is about
    people = {
        m.group(1) for m in re.finditer(r"\b(?:my|our|his|her|their)\s+(?:[a-z]+\s+)?([a-z]+)\b", scan)
    } | {m.group(1) for m in re.finditer(r"\b(?:my|our|his|her|their)\s+([a-z]+)\b", scan)}
    topic_run: list[str] = []
    for word in _words(scan) + ["."]:
        is_topic = (
            len(word) > 2
            and word not in _NON_TOPIC
            and word not in known
            and word not in lx.WANTED_FEELINGS
            and not word.endswith("ly")
            and "'" not in word
            and not _DECADE.fullmatch(word)
            and word.rstrip("s") not in _NON_TOPIC
            and not re.search(r"\d|year|yr", word)
        )
        if vocabulary is not None:
            if is_topic and word not in people and vocabulary.is_content(word):
                out["topics"].append(word)
            continue
        if is_topic:
            topic_run.append(word)
            if len(topic_run) == 3:
                out["topics"].append(" ".join(topic_run))
                topic_run = []
            continue
        if topic_run:
            out["topics"].append(" ".join(topic_run))
            topic_run = []


# "like queer eye", "something in the spirit of studio ghibli", "similar to breaking bad": the
# name runs to the next clause word ("but", "for", "with", ...) or punctuation.
_REFERENCE = re.compile(
    r"(?P<lead>\b[a-z']+\s+)?\b(?P<marker>like|similar to|in the (?:spirit|vein|style) of|reminds? me of|"
    r"along the lines of|same vibes? as|the vibes? of|a la|à la)\s+"
    r"(?P<ref>[a-z0-9][a-z0-9'&:.!-]*(?:\s+[a-z0-9&][a-z0-9'&:.!-]*){0,5}?)"
    r"(?=\s+(?:but|except|without|with|for|only|and|or|that|which|though|tho|minus|plus|if|where|set|"
    r"meets|mixed|vibes?|energy|type|kind|style|level|please|pls|to|in|on|from|about|i|we|again)\b|\s*[,.;!?]|$)"
)
_VIBES_OF = re.compile(r"(?P<before>[a-z0-9][a-z0-9'&: -]*?)\s+(?:vibes?|energy|type of)\b")
# "i like", "feel like", "looks like": a verb or a feeling, not a comparison
_NOT_REFERENCE_LEAD = frozenset(
    [
        "i",
        "i'd",
        "id",
        "we",
        "you",
        "they",
        "he",
        "she",
        "would",
        "feel",
        "feels",
        "felt",
        "feeling",
        "look",
        "looks",
        "sounds",
        "seems",
        "seem",
        "don't",
        "dont",
        "doesn't",
        "doesnt",
        "do",
        "really",
        "also",
        "kinda",
        "wouldn't",
        "did",
        "didn't",
    ]
)
_GENERIC_START = frozenset(
    [
        "a",
        "an",
        "some",
        "any",
        "something",
        "anything",
        "stuff",
        "one",
        "this",
        "that",
        "it",
        "my",
        "to",
        "when",
        "being",
    ]
)


def _names_a_feeling(name: str) -> bool:
    """Every word of ``name`` is a feeling or a genre of the tables ("awe", "cozy", "horror")."""
    words = name.split()
    feeling_words = lx.WANTED_FEELINGS.keys() | lx.GENRE_WORDS.keys() | set(EMOTIONS)
    return bool(words) and all(w in feeling_words for w in words)


def _references(request: str, vocabulary: Vocabulary | None, out: dict) -> str:
    """Titles the request likens itself to. A catalog title ("like queer eye") becomes a
    seed (``like_titles``); a name the catalog lacks ("like john wick") is noted and kept
    out of the topics, so that "john" and "wick" match no synopsis literally. Returns the
    request without the names."""
    spans, named = [], []
    for match in _REFERENCE.finditer(request):
        lead = (match.group("lead") or "").strip()
        ref = match.group("ref").strip(" .!:")
        first = ref.split()[0]
        if lead in _NOT_REFERENCE_LEAD or first.isdigit() or _names_a_feeling(ref):
            continue  # "like awe and wonder": feelings, even where a title is called "Awe"
        found = vocabulary.title_id(ref) if vocabulary is not None else None
        if found is None and (first in _GENERIC_START or first in lx.GENRE_WORDS):
            continue  # "like a heist", "something like comedy": words, not a name
        named.append((ref, found))
        # a catalog title is searched by its vectors; a name the catalog lacks stays in the
        # content (the plot and genre vectors may know it) but never becomes a literal topic
        spans.append((match.start("marker"), match.end("ref"), "" if found else ref))
    for match in _VIBES_OF.finditer(request):  # "breaking bad vibes": only a catalog title
        words = match.group("before").split()
        for n in range(min(5, len(words)), 0, -1):
            if _names_a_feeling(" ".join(words[-n:])):
                break  # "cozy vibes": a feeling, not the title "Cozy"
            found = vocabulary.title_id(" ".join(words[-n:])) if vocabulary is not None else None
            if found is not None and found not in {f for _, f in named}:
                named.append((" ".join(words[-n:]), found))
                end = match.end("before")
                spans.append((end - len(" ".join(words[-n:])), match.end(), ""))
                break
    # the catalog's titles first, so that like_titles[i] is the title references[i] names
    out["like_titles"] = [found for _, found in named if found is not None]
    out["references"] = [r for r, f in named if f is not None] + [r for r, f in named if f is None]
    unknown = " ".join(kept for _, _, kept in spans if kept)
    for start, end, _ in sorted(spans, reverse=True):
        request = request[:start] + " , " + request[end:]
    out["reference_words"] = unknown
    return request


# When and how one watches, not what ("movie night", "a snow day", "this weekend"): the rest
# of these (night, day, weekend, the weekdays, ...) are already in lexicon.NON_TOPIC_WORDS.
_OCCASION_WORDS = frozenset(["days", "nights", "time"])


def _names_something(scan: str, out: dict, has_vocabulary: bool) -> bool:
    """Does the request name a thing it wants (a noun that is no person watching, occasion,
    format or filler): "explosions", "space", "dinosaurs"? Read by part of speech
    (``lemminflect``: a word with a noun reading), so no list of wanted things is needed."""
    if out["topics"] and has_vocabulary:  # without the catalog's words every unknown word is a topic
        return True
    people = {
        m.group(1) for m in re.finditer(r"\b(?:my|our|his|her|their|the)\s+(?:[a-z]+\s+)?([a-z]+)\b", scan)
    }
    skip = out.get("audience_words", set()) | people | _OCCASION_WORDS | _CONSTRAINT_WORDS | _NON_TOPIC
    for word in _words(scan):
        if len(word) < 3 or word in skip or word in lx.WANTED_FEELINGS or "'" in word:
            continue
        readings = getAllLemmas(word)
        if "NOUN" in readings or (not readings and word.isalpha() and len(word) > 3):
            return True
    return False


_WORD = re.compile(r"[a-z]+")


def _joined_genre_words(text: str) -> str:
    """A genre word typed in two parts is one word: "rom com", "sci fi", "k drama", "docu
    series", "rom coms" read as the GENRE_WORDS they spell ("romcom", "scifi"...)."""
    words = list(_WORD.finditer(text))
    out, last = [], 0
    for this, after in zip(words, words[1:]):
        if this.start() < last or text[this.end() : after.start()] not in (" ", "-"):
            continue
        first, second = this.group(), after.group()
        for word in (first + second, first + second.removesuffix("s"), f"{first}-{second}"):
            if word in lx.GENRE_WORDS and word not in (first, second):
                out.append(text[last : this.start()] + word)
                last = after.end()
                break
    return "".join(out) + text[last:]


def read_request(text: str, vocabulary: Vocabulary | None = None) -> Understood:
    """Understand one (already cleaned) mood text; ``vocabulary`` (the catalog's, see
    ``query.vocabulary``) decides which words are plot topics."""
    lowered = _joined_genre_words(text.lower().replace("’", "'").replace("‘", "'"))
    out: dict = {
        "avoid": [], "avoid_genres": [], "avoid_feelings": [], "avoid_topics": [],
        "soft_avoid_genres": [], "genres": [], "required_genres": [], "countries": [],
        "feelings": [], "topics": [], "ceiling_said": None, "references": [], "like_titles": [],
    }  # fmt: skip
    positive = _negations(lowered, out)
    request, felt, felt_text = _request_part(positive)
    out["felt"] = _unique(felt)
    out["felt_text"] = felt_text
    _era(lowered, out)
    _format(positive, out)
    _audience(positive, out)
    _side_watching(positive, out)
    _countries(positive, out)
    if out.pop("english_only", False) and not out["countries"]:
        out["countries"] = list(lx.ENGLISH_COUNTRIES)
    out["max_certification"] = _lower_ceiling(out.pop("audience_ceiling", None), out["ceiling_said"])
    for phrase, feelings in lx.REMEDIES.items():
        if _has(request, phrase):
            out["feelings"] += feelings
            out["genres"] += lx.REMEDY_GENRES.get(phrase, ())
    genre_phrase_words: set[str] = set()  # "period pieces" names a genre: "pieces" is no topic
    for phrase, genres in lx.GENRE_PHRASES.items():
        if _has(request, phrase):
            out["genres"] += genres
            genre_phrase_words |= {f"{w}{end}" for w in phrase.split() for end in ("", "s", "es")}
    known = (
        set(lx.GENRE_WORDS) | set(lx.AUDIENCE_WORDS) | set(lx.COUNTRY_WORDS) | set(lx.ERA_WORDS)
        | set(lx.SHOW_WORDS) | set(lx.MOVIE_WORDS) | set(lx.SHORT_WORDS) | set(_DECADE_WORDS)
        | genre_phrase_words
    )  # fmt: skip
    scan = _references(request, vocabulary, out)
    for phrase in (*lx.REMEDIES, *lx.SIDE_WATCHING):
        scan = re.sub(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", " , ", scan)
    for word in _words(scan):
        if word in lx.WANTED_FEELINGS:
            out["feelings"] += lx.WANTED_FEELINGS[word]
        if word in lx.GENRE_WORDS:
            out["genres"] += lx.GENRE_WORDS[word]
    _topics(scan, known, vocabulary, out)
    if out.get("audience") and not out["genres"] and not _names_something(scan, out, vocabulary is not None):
        # who watches implies genres only when the request names nothing itself: "my teenage
        # son wants explosions" is an action request for a teen, not a teen romance
        out["genres"] += lx.AUDIENCE_GENRES[out["audience"]]
        out["avoid_genres"] += lx.AUDIENCE_AVOID_GENRES.get(out["audience"], ())
        out["soft_avoid_genres"] += lx.AUDIENCE_SOFT_AVOID_GENRES.get(out["audience"], ())
    out["content"] = " ".join(filter(None, [_content(out.pop("reference_words", "")), _content(scan)]))
    named = {g for w in _words(request) if w in lx.GENRE_WORDS for g in lx.GENRE_WORDS[w]}
    named |= {g for phrase, gs in lx.GENRE_PHRASES.items() if _has(request, phrase) for g in gs}
    wanted_feelings = set(out["feelings"])
    if wanted_feelings and wanted_feelings <= lx.SOOTHING_FEELINGS:  # asking to be soothed
        out["soft_avoid_genres"] += lx.SOOTHING_AVOID_GENRES  # a genre asked for is kept (below)
    out["avoid_genres"] = [g for g in out["avoid_genres"] if g not in named]  # "a comedy, not a romcom"
    out["avoid_feelings"] = [f for f in out["avoid_feelings"] if f not in wanted_feelings]
    if wanted_feelings & {"fear", "terror", "dread"}:  # "scary, but no gore": horror stays
        out["avoid_genres"] = [g for g in out["avoid_genres"] if g != "horror"]
        out["soft_avoid_genres"] = [g for g in out["soft_avoid_genres"] if g not in ("horror", "thriller")]
    avoid_genres = set(out["avoid_genres"])
    out.pop("audience_words", None)
    result = {key: _unique(value) if isinstance(value, list) else value for key, value in out.items()}
    result["genres"] = [g for g in result["genres"] if g not in avoid_genres]
    result["required_genres"] = [g for g in result["required_genres"] if g not in avoid_genres]
    result["soft_avoid_genres"] = [
        g for g in result["soft_avoid_genres"] if g not in avoid_genres and g not in result["genres"]
    ]
    result["feelings"] = [f for f in result["feelings"] if f not in set(result["avoid_feelings"])]
    result["request"] = request.strip(" ,")
    return Understood(**result)
