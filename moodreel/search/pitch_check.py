"""Checks a pitch against the title's facts: grounded, in tone, not a copy, complete.

``check_pitch(text, facts)`` lists what is wrong with a finished pitch: proper names
not in the facts, story elements the synopsis never mentions (a heist, zombies), invented
awards and praise, a tone or genre label that contradicts the
title's genres and vibes, a link or address, a near-copy of the synopsis, talk about its
own task ("In a pitch, you should ..."), an incomplete or too long text.
``content_violations`` is the part that also applies to a tagline. Pure functions, no LLM.

Deliberately heuristic and lenient: a word counts as grounded if it appears anywhere in the
facts, whatever its case; a capitalized word at the start of a sentence is never taken for
a name. It catches the failures seen by hand (issue 12), not every possible one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from moodreel.search.pitch_text import MAX_WORDS, split_sentences, words
from moodreel.search.support import Support

COPY_THRESHOLD = 0.6  # share of the pitch's word 5-grams found in the synopsis
# a genre's name, and the words that name what it is for ("comedy": humor, laughs)
GENRE_NAMES = {
    "documentation": "documentary",
    "scifi": "sci-fi science fiction",
    "european": "",
    "comedy": "comedy humor funny laugh",
    "horror": "horror scary scare",
    "romance": "romance romantic love",
    "family": "family",
}


@dataclass(frozen=True)
class Violation:
    """One problem with a pitch. ``kind``: unsupported, name, plot, claim, tone, link, copy, echo,
    meta, incomplete, length, empty."""

    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


@dataclass(frozen=True)
class PitchFacts:
    """What a pitch may say about a title. ``context``: other text names may come from
    (the viewer's mood and summary), never used for tone."""

    title: str
    synopsis: str = ""
    genres: tuple[str, ...] = ()
    vibes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    context: str = ""
    kind: str = ""  # what the title is, and the words that name it (``title_kind``)

    @functools.cached_property
    def support(self) -> Support:
        """The words a pitch about these facts may use (``moodreel.search.support``)."""
        return self.support_banning(())

    def support_banning(self, banned: Iterable[str]) -> Support:
        """``support`` less the ``banned`` words (by lemma)."""
        banned = tuple(banned)
        if not banned and "support" in self.__dict__:
            return self.support
        genres = [GENRE_NAMES.get(g, g) for g in self.genres]
        texts = [self.title, self.synopsis, *genres, *self.vibes, *self.names, self.context, self.kind]
        return Support(texts, banned=banned)

    @property
    def vocabulary(self) -> set[str]:
        text = " ".join([self.title, self.synopsis, *self.genres, *self.vibes, *self.names, self.context])
        return {_norm(w) for w in _WORD.findall(text)}

    @property
    def text(self) -> str:
        """The facts as one lower-case text, for phrase look-ups."""
        return " ".join([self.title, self.synopsis, *self.names, self.context]).lower()


_WORD = re.compile(r"[^\W_][\w'’-]*")
# not names: the service, days, months, holidays, generic words often capitalized
ALLOWED_NAMES = {
    "netflix", "tv", "i", "i'm", "i'd", "i'll", "i've", "ok", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may",
    "june", "july", "august", "september", "october", "november", "december", "christmas",
    "halloween", "thanksgiving", "easter", "earth", "sci-fi", "rom-com", "god",
}  # fmt: skip

CLAIMS = re.compile(
    r"\b(oscars?|academy awards?|emmys?|golden globes?|baftas?|palme d'or|cannes|sundance|"
    r"award[- ]winning|awards?|nominated|nominations?|critically acclaimed|acclaimed|critics|"
    r"box[- ]office|blockbuster|best[- ]?sell(?:ing|er)|soundtrack|cinematography|true story|"
    r"(?:stunning|brilliant|stellar|outstanding|powerful|incredible|standout|strong|superb|great|"
    r"compelling|memorable|terrific) performances?)\b",
    re.IGNORECASE,
)
_CHEERFUL = re.compile(
    r"\b(light[- ]?hearted|heart[- ]?warming|feel[- ]good|warm|warmly|warmth|cozy|cosy|wholesome|"
    r"cheerful|uplifting|breezy|whimsical)\b",
    re.IGNORECASE,
)
_GRIM = re.compile(
    r"\b(chilling|spine[- ]chilling|bone[- ]chilling|terrifying|horrifying|gripping thriller|"
    r"psychological thriller|crime drama|crime thriller|sinister|gruesome|gory|harrowing|"
    r"nail[- ]biting|heart[- ]pounding|dark|darker|darkest|bleak|grim|haunting|disturbing|menacing|"
    r"brutal|violent|dread|nightmarish|bloody)\b",
    re.IGNORECASE,
)
# genre labels and the genres that make them true
_LABELS = [
    (re.compile(r"\bthrillers?\b", re.IGNORECASE), {"thriller", "crime", "horror"}),
    (re.compile(r"\bhorror (?:film|movie|series|show|story|flick|tale)s?\b", re.IGNORECASE), {"horror"}),
    (re.compile(r"\b(?:documentar(?:y|ies)|docu-?series)\b", re.IGNORECASE), {"documentation"}),
    (re.compile(r"\b(?:animated|cartoons?|anime)\b", re.IGNORECASE), {"animation"}),
    (re.compile(r"\b(?:comedy|comedies|sitcom|rom-?com)\b", re.IGNORECASE), {"comedy"}),
]
# the model talking about its task instead of the title
_META = re.compile(
    r"\b(pitch(?:es)?|synopsis|instructions?|the facts(?: given)?|as an ai|matches the tone|"
    r"its genres|feelings given)\b",
    re.IGNORECASE,
)
# a link, an e-mail address or a handle: never ours to show (a synopsis can carry one)
LINK = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w.-]+@[\w-]+\.\w+|\b[\w-]+\.(?:com|net|org|io|ly|gg|xyz|info|co)\b",
    re.IGNORECASE,
)
# story elements that change what a title is about: a pitch may name one only if the title's
# own facts do (the viewer asking for a heist does not make a romance a heist)
PLOT_NOUNS = {
    "zombie": "zombie", "vampire": "vampire", "werewolf": "werewolf", "werewolves": "werewolf",
    "alien": "alien", "ghost": "ghost", "demon": "demon", "witch": "witch", "wizard": "wizard",
    "dragon": "dragon", "robot": "robot", "dinosaur": "dinosaur", "superhero": "superhero",
    "spaceship": "space", "heist": "heist", "robbery": "robber", "kidnapping": "kidnap",
    "serial killer": "killer", "assassin": "assassin", "spy": "spy", "spies": "spy", "pirate": "pirate",
    "samurai": "samurai", "ninja": "ninja", "mafia": "mafia", "cartel": "cartel", "wedding": "wedd",
    "apocalypse": "apocalyp", "pandemic": "pandemic", "shark": "shark", "haunted": "haunt",
    "curse": "curse", "treasure": "treasure", "murder": "murder", "time travel": "time travel",
}  # fmt: skip
_PLOT = re.compile(
    r"\b(" + "|".join(sorted(PLOT_NOUNS, key=len, reverse=True)) + r")(?:e?s)?\b", re.IGNORECASE
)
DARK_GENRES = {"horror", "thriller", "crime"}
DARK_VIBES = {"dread", "terror", "horror", "violence", "menace", "cruelty", "fright", "scare"}
LIGHT_GENRES = {"comedy", "family", "animation"}


def _norm(word: str) -> str:
    word = word.lower().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word


def tone(facts: PitchFacts) -> str:
    """'dark', 'light' or '' (neither): what the title's genres and vibes allow."""
    genres = {g.lower() for g in facts.genres}
    if genres & LIGHT_GENRES and not genres & {"horror", "thriller"}:
        return "light"  # a crime comedy is still a comedy
    if genres & DARK_GENRES or {v.lower() for v in facts.vibes} & DARK_VIBES:
        return "dark"
    return ""


def name_violations(text: str, facts: PitchFacts) -> list[Violation]:
    """Capitalized words (runs of them) inside a sentence that appear nowhere in the facts."""
    known = facts.vocabulary | ALLOWED_NAMES
    found: list[str] = []
    sentences, tail = split_sentences(text)
    for sentence in [*sentences, tail]:
        phrase: list[str] = []
        bad = False
        last_end = -1
        for i, match in enumerate(_WORD.finditer(sentence)):
            word = match.group().rstrip(".'’")
            gap = sentence[last_end : match.start()] if last_end >= 0 else ""
            last_end = match.end()
            starts = i == 0 or gap.strip()[-1:] in {'"', "“", "(", ":", "—"}
            if phrase and gap != " ":
                found += [" ".join(phrase)] if bad else []
                phrase, bad = [], False
            if word[:1].isupper() and not starts:
                phrase.append(word)
                bad = bad or _norm(word) not in known
            elif phrase:
                found += [" ".join(phrase)] if bad else []
                phrase, bad = [], False
        if phrase and bad:
            found.append(" ".join(phrase))
    return [Violation("name", f"{name!r} is not in the facts") for name in dict.fromkeys(found)]


def claim_violations(text: str, facts: PitchFacts) -> list[Violation]:
    facts_text = facts.text
    claims = {m.group(1).lower() for m in CLAIMS.finditer(text)}
    return [Violation("claim", f"{c!r} is not in the facts") for c in sorted(claims) if c not in facts_text]


def tone_violations(text: str, facts: PitchFacts) -> list[Violation]:
    kind = tone(facts)
    synopsis = f"{facts.title} {facts.synopsis}".lower()
    out: list[Violation] = []
    wrong = _CHEERFUL if kind == "dark" else _GRIM if kind == "light" else None
    if wrong is not None:
        for word in dict.fromkeys(m.group(1).lower() for m in wrong.finditer(text)):
            if word not in synopsis:
                genres = ", ".join(facts.genres) or "no genre"
                out.append(Violation("tone", f"{word!r} for a {kind} title ({genres})"))
    lowered = {g.lower() for g in facts.genres}
    for pattern, needs in _LABELS:
        for match in pattern.finditer(text):
            label = match.group().lower()
            if not lowered & needs and label not in synopsis and all(label not in v.detail for v in out):
                out.append(
                    Violation("tone", f"{label!r} but the genres are {', '.join(facts.genres) or 'unknown'}")
                )
                break
    return out


def copy_ratio(text: str, synopsis: str, n: int = 5) -> float:
    """Share of the text's word n-grams that also occur in the synopsis."""
    grams = _ngrams(text, n)
    return len(grams & _ngrams(synopsis, n)) / len(grams) if grams else 0.0


def _ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    tokens = [_norm(w) for w in _WORD.findall(text)]
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def plot_violations(text: str, facts: PitchFacts) -> list[Violation]:
    """Story elements (a heist, zombies, a wedding) that the title's own facts never mention."""
    own = " ".join([facts.title, facts.synopsis, *facts.genres, *facts.vibes]).lower()
    found = {m.group(1).lower() for m in _PLOT.finditer(text)}
    return [
        Violation("plot", f"{w!r} is not in the synopsis") for w in sorted(found) if PLOT_NOUNS[w] not in own
    ]


def support_violations(text: str, facts: PitchFacts) -> list[Violation]:
    """Content words the facts do not support (by lemma; ``Support``): "two teens" for a
    synopsis about a lonely boy, "thieves" for a documentary about why a show was loved."""
    words_found = facts.support.unsupported(text)
    if not words_found:
        return []
    return [Violation("unsupported", f"{', '.join(repr(w) for w in words_found[:6])} not in the facts")]


def unsupported_words(violations: Iterable[Violation]) -> list[str]:
    """The words named by ``support_violations`` (to ban them in a rewrite)."""
    found: list[str] = []
    for v in violations:
        if v.kind in {"unsupported", "name", "plot"}:
            found += re.findall(r"'([^']+)'", v.detail)
    return list(dict.fromkeys(w for phrase in found for w in phrase.lower().split()))


def link_violations(text: str) -> list[Violation]:
    return [Violation("link", f"{m.group()!r}: no links or addresses") for m in LINK.finditer(text)][:1]


def check_pitch(text: str, facts: PitchFacts, max_words: int = MAX_WORDS) -> list[Violation]:
    """Everything wrong with a finished pitch; an empty list means it may be shown."""
    text = text.strip()
    if not text:
        return [Violation("empty", "no pitch")]
    out: list[Violation] = []
    sentences, tail = split_sentences(text, facts.title)
    if tail or not sentences:
        out.append(Violation("incomplete", f"ends mid-sentence: {tail[-40:]!r}"))
    if words(text) > max_words:
        out.append(Violation("length", f"{words(text)} words, more than {max_words}"))
    out += content_violations(text, facts)
    if sentences and _plain(sentences[0]) in {
        _plain(facts.title),
        _plain(facts.title) + " " + _plain(facts.title),
    }:
        out.append(Violation("empty", "the first sentence is only the title"))
    ratio = copy_ratio(text, facts.synopsis)
    if ratio > COPY_THRESHOLD:
        out.append(Violation("copy", f"{ratio:.0%} of its 5-word runs are the synopsis'"))
    out += echo_violations(text, facts)
    return out


def echo_violations(text: str, facts: PitchFacts, run: int = 5) -> list[Violation]:
    """The viewer's own words parroted back ("You wanted a clever heist with a twist, ..."):
    a run of ``run`` words from the mood or viewer summary."""
    echoed = _ngrams(text, run) & _ngrams(facts.context, run)
    return [Violation("echo", "repeats the viewer's words")] if echoed else []


def content_violations(text: str, facts: PitchFacts) -> list[Violation]:
    """What a pitch or tagline says that the facts do not back: names, claims, tone, links, meta talk."""
    out = link_violations(text)
    out += support_violations(text, facts)
    out += plot_violations(text, facts)
    out += name_violations(text, facts)
    out += claim_violations(text, facts)
    out += tone_violations(text, facts)
    meta = {m.group(1).lower() for m in _META.finditer(text)} - set(_WORD.findall(facts.text))
    if meta:
        out.append(Violation("meta", f"talks about its task ({', '.join(sorted(meta))})"))
    return out


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


def kinds(violations: Iterable[Violation]) -> set[str]:
    return {v.kind for v in violations}
