"""Which words a pitch may use: those the facts support, compared by lemma, and a few style words.

A pitch stays true when every content word in it comes from what we know about the title:
its synopsis, title, genres, feelings, credits, what kind of title it is, the viewer's mood,
plus a short list of words any pitch needs ("watch", "tonight", "expect"). Words are
compared by lemma (``lemminflect``: "teens" and "teen", "moved" and "moves", "sisters" and
"sister"), so the facts' words are usable in any inflection, and nothing else is. Function
words (articles, pronouns, prepositions, auxiliaries: a closed class of English) are always
free. There is no list of story nouns: "two", "teens", "thieves", "sisters" are refused for
a synopsis that has none of them, because it has none of them.

``Support`` answers two questions, the same way for the logits processor that steers the
model while it writes (``moodreel.llm.word_guard``) and for the check that reads the finished
pitch (``pitch_check.support_violations``): is this word allowed (``allows``), and can a
word that starts with these letters still become an allowed one (``may_start``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from functools import lru_cache

from lemminflect import getAllInflections, getAllLemmas, getAllLemmasOOV
from nltk.stem.snowball import SnowballStemmer

# English's closed classes: determiners, pronouns, prepositions, conjunctions, auxiliaries,
# modals, and the adverbs that carry no fact. A pitch needs them; they state nothing.
FUNCTION_WORDS = frozenset(
    """a an the this that these those some any no every each all both either neither other another
    such own same what which who whom whose whatever whoever i me my mine we us our ours you your yours
    he him his she her hers it its they them their theirs one ones oneself myself yourself himself
    herself itself ourselves yourselves themselves someone something somebody anyone anything everyone
    everything nothing nobody
    of in on at to from by with without for about into onto over under above below between among
    through across along around before after during until till since against toward towards upon
    within beyond behind beside besides near off out up down past via per like unlike as than
    and or but nor so yet if then else when while where whether because though although unless once
    whenever wherever how why
    be am is are was were been being have has had having do does did doing done will would shall
    should can could may might must ought
    not never ever very too also just only even still already again more most less least much many
    few little lot lots quite rather almost enough here there now soon how however instead
    s t d ll m re ve don doesn didn isn aren wasn weren won can couldn wouldn shouldn hasn haven hadn
    let lets""".split()  # noqa: SIM905 (word lists read best as text)
)
# What any pitch may say without a fact behind it: addressing the viewer, the watching, the
# labels of the answer. Kept short: every word here is one the model may use on any title.
STYLE_WORDS = frozenset(
    """watch watching tonight night evening mood pick perfect ready settle sit back get take make
    find see meet follow expect offer want need look feel enjoy kind way time moment thing story
    tale film movie series show season episode title viewer tagline pitch yes ride bring deliver
    feature join share tell give keep turn start begin""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[^\W\d_]+|\d+")
_STEMMER = SnowballStemmer("english")


def word_runs(text: str) -> list[str]:
    """The words of ``text`` as the checks see them: runs of letters (any script) or of
    digits, lower case ("stand-up" is two words, "Kotaro's" is "kotaro" and "s")."""
    return _WORD.findall(text.lower().replace("’", "'"))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The word's Snowball stem: links derived forms ("unexpectedly", "unexpected";
    "amusement", "amusing") that lemmas keep apart."""
    return _STEMMER.stem(word)


@lru_cache(maxsize=50_000)
def lemmas(word: str) -> frozenset[str]:
    """Every lemma ``word`` may be a form of, and the word itself."""
    found = {word}
    for forms in getAllLemmas(word).values():
        found.update(forms)
    if len(found) == 1 and word.isalpha():
        for upos in ("NOUN", "VERB", "ADJ"):
            found.update(getAllLemmasOOV(word, upos).get(upos, ()))
    return frozenset(f.lower() for f in found)


@lru_cache(maxsize=50_000)
def inflections(lemma: str) -> frozenset[str]:
    """Every inflected form of ``lemma`` (and the lemma)."""
    forms = {lemma}
    for group in getAllInflections(lemma).values():
        forms.update(f.lower() for f in group)
    return frozenset(forms)


class Support:
    """The words a pitch about these facts may use.

    ``facts``: texts whose words are supported (synopsis, title, genres, feelings, credits,
    kind, mood). ``style``: words allowed anyway. ``banned``: words refused even so (a
    rewrite after a failing draft bans its offending words, by lemma).
    """

    def __init__(
        self,
        facts: Iterable[str],
        style: Iterable[str] = STYLE_WORDS,
        banned: Iterable[str] = (),
    ) -> None:
        fact_words = {w for text in facts for w in word_runs(text)}
        self.banned_lemmas = {lem for w in banned for lem in lemmas(w.lower())} - FUNCTION_WORDS
        self.lemmas: set[str] = set()
        for word in fact_words | set(style):
            self.lemmas |= lemmas(word) if word.isalpha() else {word}
        self.lemmas -= self.banned_lemmas
        self.stems = {stem(lem) for lem in self.lemmas if lem.isalpha()}
        self.banned_stems = {stem(lem) for lem in self.banned_lemmas}
        forms = set(FUNCTION_WORDS)
        for lemma in self.lemmas:
            forms |= inflections(lemma) if lemma.isalpha() else {lemma}
        forms |= {w for w in fact_words if not lemmas(w) & self.banned_lemmas}
        self.forms = frozenset(f for f in forms if not lemmas(f) & self.banned_lemmas or f in FUNCTION_WORDS)
        self._sorted = sorted(self.forms)
        self._seen: dict[str, bool] = {}

    def allows(self, word: str) -> bool:
        """Whether the word (lower case, one run of letters or digits) may appear."""
        if word in self.forms:
            return True
        known = self._seen.get(word)
        if known is None:
            known = self._seen[word] = self._allows(word)
        return known

    def _allows(self, word: str) -> bool:
        if not word.isalpha():
            return False
        root = stem(word)
        if root in self.banned_stems:
            return False
        found = lemmas(word)
        if found & self.banned_lemmas:
            return False
        return root in self.stems or bool(found & self.lemmas)

    def may_start(self, prefix: str) -> bool:
        """Whether some allowed form begins with ``prefix``: a word being written that can
        still end well (derived forms the stems allow are only known once the word ends, so
        a word on its way to one must share a start with a form of the facts)."""
        i = bisect.bisect_left(self._sorted, prefix)
        return i < len(self._sorted) and self._sorted[i].startswith(prefix)

    def unsupported(self, text: str) -> list[str]:
        """The words of ``text`` the facts do not support, in order, once each."""
        return list(dict.fromkeys(w for w in word_runs(text) if not self.allows(w)))


def word_pairs(text: str) -> dict[str, set[str]]:
    """Each word of ``text`` and the words that follow it there (the source's bigrams)."""
    runs = word_runs(text)
    pairs: dict[str, set[str]] = {}
    for a, b in zip(runs, runs[1:], strict=False):
        if a not in FUNCTION_WORDS or b not in FUNCTION_WORDS:
            pairs.setdefault(a, set()).add(b)
    return pairs
