"""The tagline: one line, at most 12 words, for this viewer and mood, above the pitch.

The LLM writes it as the first line of the same answer as the pitch ("Tagline: …" then
"Pitch: …"), so it costs a dozen tokens and no second prompt. ``TaglineReader`` splits that
first line off the stream; ``check_tagline`` holds it to the pitch's rules (names, claims,
tone, links; ``pitch_check.content_violations``) and to its length. A missing or failing
tagline is replaced by ``template_tagline``, built from the facts, never left empty.
"""

from __future__ import annotations

import re

from moodreel.search.pitch_check import (
    PitchFacts,
    Violation,
    content_violations,
    echo_violations,
    tone_violations,
)
from moodreel.search.pitch_text import clean_sentence

MAX_TAGLINE_WORDS = 12
_LABEL = re.compile(r"^\s*(?:\**\s*)?tag\s*-?\s*line\s*\**\s*[:\-–—]\s*", re.IGNORECASE)
_PITCH_LABEL = re.compile(r"^\s*(?:\**\s*)?pitch\s*\**\s*:", re.IGNORECASE)
_SENTENCE_THEN_MORE = re.compile(r"\w[.!?][\"'”’)]*\s+\S")
_WAIT_WORDS = 30  # a first line longer than this is no tagline: the model went straight to the pitch


_CLAUSE_END = re.compile(r"\s*(?:[,;:—–]|\s-\s|\.\s)\s*")


def clean_tagline(line: str) -> str:
    """The line without label, quotes or markdown; a line over the budget is cut at its
    last clause break within the budget ("Laugh till you cry, as Jerry ..." -> "Laugh till
    you cry"), never mid-clause."""
    text = clean_sentence(_LABEL.sub("", line), first=True)
    if len(text.split()) > MAX_TAGLINE_WORDS:
        breaks = [m.start() for m in _CLAUSE_END.finditer(text) if len(text[: m.start()].split()) >= 3]
        fitting = [b for b in breaks if len(text[:b].split()) <= MAX_TAGLINE_WORDS]
        if fitting:
            text = text[: fitting[-1]]
    return text.rstrip(" .,;:-–—").strip() if not text.endswith(("!", "?")) else text


class TaglineReader:
    """Text in; once the first line is complete, ``tagline`` (or "" when the answer has
    none) and ``rest``, the text that follows it, for the pitch."""

    def __init__(self) -> None:
        self.buffer = ""
        self.done = False
        self.tagline = ""
        self.rest = ""

    def feed(self, piece: str) -> bool:
        """Take a piece of the answer; True once the tagline line is decided."""
        if self.done:
            self.rest += piece
            return True
        self.buffer += piece
        head = self.buffer.lstrip()
        if _PITCH_LABEL.match(head):
            return self._decide("", head)  # no tagline: straight to the pitch
        labelled = bool(_LABEL.match(head))
        if "\n" in head:
            line, rest = head.split("\n", 1)
            heading = line.rstrip().endswith(":")  # "Key elements:" opens a list, it is no tagline
            if labelled or (len(line.split()) <= MAX_TAGLINE_WORDS + 3 and not heading):
                return self._decide(clean_tagline(line), rest)
            return self._decide("", head)
        if not labelled and (len(head.split()) > _WAIT_WORDS or _SENTENCE_THEN_MORE.search(head)):
            return self._decide("", head)  # sentences without a label: the pitch itself
        return False

    def finish(self) -> None:
        """The answer ended: a lone line is taken as the pitch, not as a tagline."""
        if not self.done:
            head = self.buffer.lstrip()
            if _LABEL.match(head):
                self._decide(clean_tagline(head), "")
            else:
                self._decide("", self.buffer)

    def _decide(self, tagline: str, rest: str) -> bool:
        self.tagline, self.rest, self.done = tagline, rest.lstrip(), True
        return True


def check_tagline(text: str, facts: PitchFacts) -> list[Violation]:
    """Everything wrong with a tagline; an empty list means it may be shown."""
    if not text.strip():
        return [Violation("empty", "no tagline")]
    out = []
    if _plain(text) == _plain(facts.title):
        out.append(Violation("empty", "the tagline is only the title"))
    n = len(text.split())
    if n > MAX_TAGLINE_WORDS:
        out.append(Violation("length", f"tagline of {n} words, more than {MAX_TAGLINE_WORDS}"))
    # a tagline is short: four of the viewer's words in a row are already an echo
    # ("A daring heist with a twist, nothing too dark" for "a clever heist with a twist, ...")
    return out + content_violations(text, facts) + echo_violations(text, facts, run=4)


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def template_tagline(facts: PitchFacts, mood_emotions: list[str]) -> str:
    """A true line from the facts: the title's feelings that fit its tone, and the wish."""
    feels = [v for v in facts.vibes if not tone_violations(v, facts)][:3]
    wanted = next((e for e in mood_emotions if e not in feels), "")
    if not feels:
        return f"For when you want {wanted}" if wanted else facts.title
    line = (", ".join(feels[:-1]) + " and " + feels[-1]) if len(feels) > 1 else feels[0]
    line = line[0].upper() + line[1:]
    return f"{line}, for a night of {wanted}" if wanted else line
