"""Which words of a request carry content for *this* catalog, measured on its synopses.

A word is a topic ("heist", "cowboys", "dinosaurs") when the titles whose synopses use it
are about something in common, and filler ("set", "world", "enjoy", "half") when they are
not. That is measured, not listed: for each word, the titles using it are averaged in the
plot-vector space; the squared norm of that mean, above what the same number of random
titles would give, is the word's *coherence* (0: the titles are a random draw, 1: they are
all the same story). A word needs ``MIN_DF`` synopses and ``MIN_COHERENCE`` to be a topic;
a word no synopsis uses is left to the plot vector (it can match nothing literally).

Multiword expressions are mined the same way: two- and three-word sequences ("new york",
"world war", "coming of age", "high school", "serial killer") that occur in at least
``MIN_PHRASE_DF`` synopses, whose rarer outer word occurs mostly inside the phrase
(overlap coefficient ``MIN_PHRASE_TOGETHER``) and whose titles are coherent. The reader reads them whole.

Pure: built from (synopsis, plot vector) pairs; ``from_store`` reads them from the store.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

MIN_DF = 3
MIN_COHERENCE = 0.06
MIN_PHRASE_DF = 3
MIN_PHRASE_TOGETHER = 0.5
MIN_PHRASE_COHERENCE = 0.03
_TOKEN = r"(?u)\b[a-z][a-z'-]*[a-z]\b"
_PLURAL = re.compile(r"(?:es|s)$")


@dataclass(frozen=True)
class Vocabulary:
    """Document frequency and coherence of every word and mined phrase of the synopses."""

    df: dict[str, int]
    coherence: dict[str, float]
    phrases: frozenset[str]
    n_titles: int
    titles: dict[str, str] = field(default_factory=dict)  # title_key(name) -> id

    def title_id(self, name: str) -> str | None:
        """The catalog title a request names ("like queer eye": Queer Eye), by its whole name."""
        return self.titles.get(title_key(name))

    def _key(self, word: str) -> str | None:
        for form in (word, _PLURAL.sub("", word), word + "s", word.rstrip("s") + "es"):
            if form in self.df:
                return form
        return None

    def score(self, word: str) -> tuple[int, float]:
        """(document frequency, coherence) of ``word`` or its singular/plural; (0, 0.0) if unseen."""
        key = self._key(word.lower())
        return (self.df[key], self.coherence[key]) if key else (0, 0.0)

    def is_content(self, word: str) -> bool:
        """Coherent enough over ``MIN_DF`` synopses or more; a word only one or two
        synopses use is as specific as a word gets (a name, a place, a thing)."""
        df, coherence = self.score(word)
        return coherence >= MIN_COHERENCE if df >= MIN_DF else df > 0

    def is_phrase(self, gram: str) -> bool:
        """A two- or three-word sequence of the request that the synopses use as a unit: a
        mined phrase, or one used by ``MIN_PHRASE_DF`` synopses and more coherent than its
        words ("time travel": "time" and "travel" alone say little)."""
        if gram in self.phrases:
            return True
        df, coherence = self.df.get(gram, 0), self.coherence.get(gram, 0.0)
        parts = [w for w in gram.split() if w not in ENGLISH_STOP_WORDS]
        if df < MIN_PHRASE_DF or coherence < MIN_COHERENCE or len(parts) < 2:
            return False
        return coherence > max(self.score(w)[1] for w in parts)

    def phrases_in(self, text: str) -> list[str]:
        """The phrases (``is_phrase``) that occur in ``text``, longest first, not overlapping."""
        found: list[tuple[int, int, str]] = []
        words = re.findall(r"[a-z][a-z'-]*[a-z]|[a-z]", text.lower())
        taken = [False] * len(words)
        for n in (3, 2):
            for i in range(len(words) - n + 1):
                if any(taken[i : i + n]):
                    continue
                gram = " ".join(words[i : i + n])
                if words[i] in ENGLISH_STOP_WORDS or words[i + n - 1] in ENGLISH_STOP_WORDS:
                    continue
                if self.is_phrase(gram):
                    found.append((i, n, gram))
                    for j in range(i, i + n):
                        taken[j] = True
        return [g for _, _, g in sorted(found)]


_FORMAT_TAIL = re.compile(r"\s+(?:the\s+)?(?:show|series|movie|film|movies|films|shows|one|ones)$")


def title_key(name: str) -> str:
    """A title as people type it: lowercase, "&" as "and", no punctuation, no leading "the"
    ("The Office" and "the office show" are "office")."""
    text = name.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text).replace("'", "")
    text = " ".join(text.split())
    text = _FORMAT_TAIL.sub("", text) if " " in text else text
    return re.sub(r"^the\s+", "", text)


def build_vocabulary(
    descriptions: Sequence[str], plot_vectors: np.ndarray, titles: dict[str, str] | None = None
) -> Vocabulary:
    """Measure every word and two/three-word phrase of ``descriptions`` (one per title, in the
    order of the rows of ``plot_vectors``)."""
    n = len(descriptions)
    names: dict[str, str] = {}
    for name, id_ in (titles or {}).items():
        if title_key(name):
            names.setdefault(title_key(name), id_)
    if n == 0:
        return Vocabulary({}, {}, frozenset(), 0, names)
    vectors = np.asarray(plot_vectors, dtype=np.float32)
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    counter = CountVectorizer(
        lowercase=True, token_pattern=_TOKEN, ngram_range=(1, 3), min_df=min(MIN_DF, MIN_PHRASE_DF),
        binary=True,
    )  # fmt: skip
    try:
        matrix = counter.fit_transform([d or "" for d in descriptions]).tocsc()
    except ValueError:  # no word at all
        return Vocabulary({}, {}, frozenset(), n, names)
    words = counter.get_feature_names_out()
    df = np.asarray(matrix.sum(axis=0)).ravel()
    sums = np.asarray(matrix.T @ vectors)
    means = sums / np.maximum(df, 1)[:, None]
    centre = float(np.linalg.norm(vectors.mean(axis=0)) ** 2)
    expected = centre + (1.0 - centre) / np.maximum(df, 1)
    coherence = (np.einsum("ij,ij->i", means, means) - expected) / max(1e-9, 1.0 - centre)
    df_of = {str(w): int(c) for w, c in zip(words, df)}
    coh_of = {str(w): float(c) for w, c in zip(words, coherence)}
    phrases = set()
    for gram, count in df_of.items():
        parts = gram.split(" ")
        if len(parts) == 1 or count < MIN_PHRASE_DF:
            continue
        if parts[0] in ENGLISH_STOP_WORDS or parts[-1] in ENGLISH_STOP_WORDS or "'" in gram:
            continue
        if len(parts) == 3 and parts[1] not in ENGLISH_STOP_WORDS:
            continue  # three content words: a run, read word by word ("coming of age" is kept)
        outer = [df_of.get(parts[0], count), df_of.get(parts[-1], count)]
        together = count / (min(outer) or 1)  # "york" is almost always "new york"
        if together >= MIN_PHRASE_TOGETHER and coh_of[gram] >= MIN_PHRASE_COHERENCE:
            phrases.add(gram)
    return Vocabulary(df=df_of, coherence=coh_of, phrases=frozenset(phrases), n_titles=n, titles=names)


def from_store(store, plot: slice, batch: int = 1000) -> Vocabulary:
    """The vocabulary of everything in ``store`` (synopses and plot blocks of the vectors)."""
    titles = [t for t in store.all_titles(["id", "title", "type", "description"]) if t.description]
    texts, rows, names = [], [], {}
    for start in range(0, len(titles), batch):
        chunk = titles[start : start + batch]
        vectors = store.vectors([t.id for t in chunk])
        for t in chunk:
            if t.id in vectors:
                texts.append(t.description)
                rows.append(vectors[t.id][plot])
                names.setdefault(t.title, t.id)
    if not rows:
        return Vocabulary({}, {}, frozenset(), 0)
    return build_vocabulary(texts, np.stack(rows), names)


class StoreVocabulary:
    """The store's vocabulary, built on first use and again when the catalog's size changes
    (looked at no more than every ``recheck_s`` seconds); None while the store is empty."""

    def __init__(self, store, plot: slice, recheck_s: float = 30.0) -> None:
        self.store, self.plot, self.recheck_s = store, plot, recheck_s
        self._built: Vocabulary | None = None
        self._count = -1
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def __call__(self) -> Vocabulary | None:
        now = time.monotonic()
        if self._built is not None and now - self._checked < self.recheck_s:
            return self._built
        with self._lock:
            if self._built is not None and now - self._checked < self.recheck_s:
                return self._built
            try:
                count = self.store.count()
            except Exception:  # noqa: BLE001 - a store that cannot count yet has no vocabulary
                return self._built
            self._checked = now
            if count != self._count:
                self._built = from_store(self.store, self.plot) if count else None
                self._count = count
            return self._built
