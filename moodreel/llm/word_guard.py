"""A llama.cpp logits processor that lets the model write only words its facts support.

Before each token is picked, the most likely candidates are read as text and joined to the
word being written: a candidate is vetoed (its logit set to -inf) when it would complete a
word the vocabulary does not allow, or start letters no allowed word starts with. So the
check happens at word boundaries, on whole words, whatever the tokenizer's pieces are.
Two more steers, both optional:

- ``pairs``: the source's word pairs (bigrams); a candidate that continues the last word as
  the synopsis does gets ``boost`` added (source-bigram boosting keeps a small model on the
  source's own phrasing instead of inventing relations).
- ``banned_openings``: words the answer's pitch may not open with (the first word after
  ``opening_after``, "pitch:"): the previous pitches' first words, so no two of a search open
  alike.

The vocabulary is anything with ``allows(word)`` and ``may_start(prefix)`` (``moodreel.search.
support.Support``). Words are runs of letters (any script) or of digits, lower case. The processor never
touches punctuation, spaces, special tokens or the end of the answer, and if every candidate
it reads is vetoed it leaves the logits as they were (the check after writing still runs).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

_RUN = re.compile(r"[^\W\d_]+|\d+")  # a word: letters of any script, or digits
_TAIL = re.compile(r"(?:[^\W\d_]+|\d+)$")


class Vocabulary(Protocol):
    def allows(self, word: str) -> bool: ...

    def may_start(self, prefix: str) -> bool: ...


class TokenTexts:
    """Token id -> its text (lower case, ``'`` for ’), decoded once per model and kept."""

    def __init__(self, detokenize: Callable[[list[int]], bytes]) -> None:
        self._detokenize = detokenize
        self._texts: dict[int, str] = {}
        self._bytes: dict[int, bytes] = {}
        self._lock = threading.Lock()

    def raw(self, token: int) -> bytes:
        found = self._bytes.get(token)
        if found is None:
            with self._lock:
                found = self._bytes[token] = self._detokenize([token])
        return found

    def text(self, token: int) -> str:
        found = self._texts.get(token)
        if found is None:
            found = self.raw(token).decode("utf-8", errors="ignore").lower().replace("’", "'")
            self._texts[token] = found
        return found


class WordGuard:
    """The logits processor (``llama_cpp.LogitsProcessor``: ``(input_ids, scores) -> scores``).

    ``read``: how many of the most likely candidates are read per step; ``keep``: stop once
    this many allowed ones are found. Everything not found allowed is masked, so sampling
    (any temperature, top-k) can only pick an allowed candidate.
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        texts: TokenTexts,
        *,
        pairs: Mapping[str, Collection[str]] | None = None,
        boost: float = 0.0,
        banned_openings: Collection[str] = (),
        opening_after: str = "pitch:",
        read: int = 48,
        keep: int = 6,
        strict_words: bool = False,
    ) -> None:
        self.vocabulary = vocabulary
        self.texts = texts
        self.pairs = pairs or {}
        self.boost = boost
        self.banned_openings = {w.lower() for w in banned_openings}
        self.opening_after = opening_after
        self.read = read
        self.keep = keep
        self.strict_words = strict_words
        self._start: int | None = None
        self._calls = 0
        self._ids: list[int] = []
        self._raw = b""
        self.vetoed = 0  # candidates refused so far (for benches and tests)
        self.gave_up = 0  # steps where every candidate read was refused

    # ---- the text written so far -------------------------------------------------------
    def _written(self, input_ids: Any) -> str:
        """The answer so far. llama.cpp calls the processor once per token it picks, with every
        token it has evaluated: the prompt, the answer so far and, with prompt-lookup
        decoding, drafted tokens not yet accepted. So the answer is the first ``calls``
        tokens after the prompt (the prompt is what the first call sees)."""
        ids = input_ids.tolist() if hasattr(input_ids, "tolist") else list(input_ids)
        if self._start is None:
            self._start = len(ids)
        new = ids[self._start : self._start + self._calls]
        self._calls += 1
        if new[: len(self._ids)] != self._ids:  # cannot happen, but never trust a stale cache
            self._ids, self._raw = [], b""
        for token in new[len(self._ids) :]:
            self._raw += self.texts.raw(token)
        self._ids = new
        return self._raw.decode("utf-8", errors="ignore").lower().replace("’", "'")

    def opening_pending(self, written: str) -> bool:
        """Whether the pitch's first word is still to be written (or being written)."""
        at = written.rfind(self.opening_after)
        if at < 0:
            return False
        after = written[at + len(self.opening_after) :]
        return not re.search(r"(?:[^\W_]+)[\W_]", after)

    # ---- one candidate -----------------------------------------------------------------
    def allowed(self, written: str, piece: str, strict: bool = True) -> bool:
        """Whether ``piece`` may follow ``written``: each word it starts is allowed, or (if it
        runs on past the piece) can still become an allowed one. ``strict`` also judges the
        word being written: a piece that ends it needs it allowed ("warm" is only the start
        of "warmth"), a piece that continues it must keep it on the way to an allowed word.
        The processor asks strictly first and, if no candidate passes, leniently (the word
        being written is left to the check after writing): the model is never trapped."""
        tail = _TAIL.search(written)
        partial = tail.group() if tail else ""
        if not piece:  # a special token: the end of the answer
            return not (strict and partial) or self.vocabulary.allows(partial)
        opening = bool(self.banned_openings) and self.opening_pending(written)
        if partial and not piece[:1].isalnum():  # the piece ends the word being written
            if opening and partial in self.banned_openings:
                return False
            if strict and not self.vocabulary.allows(partial):
                return False
            opening = False
        for i, run in enumerate(_RUN.finditer(piece)):
            word = run.group()
            ends = run.end() < len(piece)
            if i == 0 and run.start() == 0 and partial:
                whole = partial + word
                if opening and whole in self.banned_openings:
                    return False
                opening = False
                if strict and not (
                    self.vocabulary.allows(whole) if ends else self.vocabulary.may_start(whole)
                ):
                    return False
                continue
            if opening and i == 0 and word in self.banned_openings:
                return False
            if ends:
                if not self.vocabulary.allows(word):
                    return False
            elif not (self.vocabulary.allows(word) or self.vocabulary.may_start(word)):
                return False
        return True

    def _boosted(self, written: str, piece: str) -> bool:
        """Whether ``piece`` starts the word the synopsis has after the last word written."""
        tail = _TAIL.search(written)
        if not self.pairs or tail is None or not piece[:1].isspace():
            return False
        follows = self.pairs.get(tail.group())
        start = _RUN.match(piece.lstrip())
        if not follows or start is None:
            return False
        return any(f.startswith(start.group()) for f in follows)

    # ---- the processor -----------------------------------------------------------------
    def __call__(self, input_ids: Any, scores: np.ndarray) -> np.ndarray:
        written = self._written(input_ids)
        kept: list[int] = []
        # judged leniently by default (``strict_words``): on our titles the strict reading forced
        # the model into broken words ("no-nobodY", "under-piCKs") to finish what it had begun
        passes = ((self.read, True), (self.read * 8, True)) if self.strict_words else ()
        for n, strict in (*passes, (self.read, False), (self.read * 8, False)):
            n = min(n, scores.shape[0])
            top = np.argpartition(-scores, n - 1)[:n]
            top = top[np.argsort(-scores[top])]
            for token in top.tolist():
                if self.allowed(written, self.texts.text(token), strict):
                    kept.append(token)
                    if len(kept) >= self.keep:
                        break
                else:
                    self.vetoed += 1
            if kept:
                break
        if not kept:
            self.gave_up += 1
            return scores
        out = np.full_like(scores, -np.inf)
        out[kept] = scores[kept]
        if self.boost:
            for token in kept:
                if self._boosted(written, self.texts.text(token)):
                    out[token] += self.boost
        return out


@dataclass
class WordGuardSpec:
    """What a guarded generation needs, passed to the chat model as ``word_guard=``; the
    model builds the processor over its own tokens (``processor``). ``last``: the processor
    of the latest generation (its ``vetoed`` count)."""

    vocabulary: Vocabulary
    pairs: Mapping[str, Collection[str]] = field(default_factory=dict)
    boost: float = 0.0
    banned_openings: tuple[str, ...] = ()
    last: WordGuard | None = field(default=None, compare=False, repr=False)

    def processor(self, texts: TokenTexts) -> WordGuard:
        self.last = WordGuard(
            self.vocabulary, texts, pairs=self.pairs, boost=self.boost, banned_openings=self.banned_openings
        )
        return self.last
