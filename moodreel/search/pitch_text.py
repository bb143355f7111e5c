"""Pitch text as it streams: clean, complete sentences within a word budget.

``SentenceSplitter`` takes the LLM's text piece by piece and releases cleaned, complete
sentences within a word and sentence budget: wrapping quotes, "Pitch:" labels, headings
and markdown are dropped; a bullet list or a second paragraph ends the pitch; an
ellipsis or an abbreviation ("Dr.") ends no sentence. ``trim_pitch`` runs it over a
whole text. A pitch built from it always ends on a full sentence, never mid-word.
What the sentences *say* is ``pitch_check``'s job.
"""

from __future__ import annotations

import re

MAX_WORDS = 45
MAX_SENTENCES = 2

_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "jr",
    "sr",
    "vs",
    "no",
    "vol",
    "mt",
    "ft",
    "lt",
    "gen",
    "u.s",
}
_END = re.compile(r"[.!?]+[\"'”’)\]*_]*(?=\s|$)")
_LABEL = re.compile(
    r"^(?:what it is\s*:\s*|(?:here(?:'|’)?s\s+)?(?:(?:a|an|the|my|your)\s+)?(?:short\s+|quick\s+)?"
    r"(?:pitch|tagline|answer|description|summary)\b[^:\n.!?]{0,60}:\s*)",
    re.IGNORECASE,
)
# a bullet list, a numbered list or a second paragraph: the pitch is over
_BREAK = re.compile(r"\n[ \t]*\n|\n[ \t]*(?:[-•*]|\d+[.)])\s|:[ \t]*(?:[-•]|\d+[.)])\s|\s•\s")
# the prompt's "Title (film, 2017; comedy)" line parroted back
_HEADER = re.compile(r"\s*\((?:film|TV show|series)\s*[,;][^)]*\)")
# markdown emphasis, but not a title's own asterisks inside a word ("Zero F**ks Given")
_MARKUP = re.compile(r"(?<![\w*`])(?:[*`]+|__+)|(?:[*`]+|__+)(?![\w*`])")
_BULLET = re.compile(r"^\s*(?:[-•*]|\d+[.)])\s+")


def title_stops(title: str) -> tuple[tuple[str, str], ...]:
    """(up to a punctuation mark, the rest) for each sentence-ending mark inside a title:
    "Go! Go! Cory Carson" -> ("go!", " go! cory carson"), ("go! go!", " cory carson"), ..."""
    t = " ".join(title.lower().split())
    return tuple((t[: m.end()], t[m.end() :]) for m in re.finditer(r"[.!?]+", t))


def _inside_title(text: str, end: int, keep: tuple[tuple[str, str], ...], at_eof: bool) -> bool | None:
    """Whether the mark ending at ``end`` belongs to a title named in ``text`` (None: too
    early to tell, the rest of the title may still be coming)."""
    upto, after = text[:end].lower(), " ".join(text[end:].lower().split(" "))
    undecided = False
    for head, rest in keep:
        if not upto.endswith(head):
            continue
        if not rest:
            return bool(after.strip())  # "HAPPY! is wild": the title's last mark ends nothing
        if after.startswith(rest):
            return True
        if rest.startswith(after) and not at_eof:
            undecided = True
    return None if undecided else False


def _sentence_end(text: str, at_eof: bool, keep: tuple[tuple[str, str], ...] = ()) -> int | None:
    """Index just after the first sentence end in ``text`` (punctuation, closing quotes).

    ``keep``: ``title_stops`` of a title whose marks end no sentence ("Go! Go! Cory Carson").
    """
    for match in _END.finditer(text):
        if match.end() == len(text) and not at_eof:
            return None  # the next token may continue it ("3." -> "3.5", "." -> "...")
        punct = match.group().rstrip("\"'”’)]*_")
        if ".." in punct:
            continue  # an ellipsis trails off, it does not end a sentence
        if keep:
            inside = _inside_title(text, match.start() + len(punct), keep, at_eof)
            if inside is None:
                return None
            if inside:
                continue
        if punct == ".":
            word = re.search(r"([\w.]+)$", text[: match.start()])
            before = word.group(1).lower() if word else ""
            if before in _ABBREVIATIONS or (len(before) == 1 and before.isalpha()):
                continue
        return match.end()
    return None


def _strip_quotes(sentence: str) -> str:
    """Drop wrapping quotes: a pair around the sentence, or an unbalanced one at either end."""
    s = sentence.strip()
    n = s.count('"')
    if n == 2 and s.startswith('"') and s.endswith('"'):
        s = s[1:-1]
    elif n % 2:
        s = s[1:] if s.startswith('"') else s[:-1] if s.endswith('"') else s
    opening, closing = s.count("“"), s.count("”")
    if opening == closing == 1 and s.startswith("“") and s.endswith("”"):
        s = s[1:-1]
    elif opening > closing and s.startswith("“"):
        s = s[1:]
    elif closing > opening and s.endswith("”"):
        s = s[:-1]
    if s.startswith(("'", "‘")):
        s = s[1:]
    if re.search(r"[.!?]['’]$", s) and s.count("'") + s.count("‘") <= 1:
        s = s[:-1]
    return s.strip()


def clean_sentence(sentence: str, first: bool = False) -> str:
    """One sentence without markdown, bullets, wrapping quotes or (first one) a label."""
    text = _MARKUP.sub("", sentence)
    text = re.sub(r"(?m)^\s*#+\s*", "", text)
    text = _BULLET.sub("", _HEADER.sub("", text))
    text = " ".join(text.split())
    for _ in range(2):  # a label inside quotes, or quotes after a label
        text = _strip_quotes(text)
        if first:
            text = _LABEL.sub("", text)
    return text


class SentenceSplitter:
    """Streamed text in, complete clean sentences out, within a word and sentence budget.

    ``feed`` returns the sentences completed by a new piece; ``finish`` the last one, if the
    text ended on a sentence end. ``stopped`` turns true once nothing more can be used (the
    budget is spent, a list or second paragraph began), so the caller can stop generating.
    """

    def __init__(
        self, max_words: int = MAX_WORDS, max_sentences: int = MAX_SENTENCES, title: str = ""
    ) -> None:
        self.max_words = max_words
        self.max_sentences = max_sentences
        self.keep = title_stops(title)
        self.raw = ""
        self.pending = ""
        self.sentences: list[str] = []
        self.stopped = False
        self.over_budget = False  # a sentence did not fit in what was left of max_words
        self.tail = ""  # text left over at the end that was not a complete sentence

    @property
    def words(self) -> int:
        return sum(len(s.split()) for s in self.sentences)

    def feed(self, piece: str) -> list[str]:
        self.raw += piece
        if self.stopped:
            return []
        self.pending += piece
        return self._drain(at_eof=False)

    def finish(self) -> list[str]:
        out = [] if self.stopped else self._drain(at_eof=True)
        if not self.stopped:
            self.tail = clean_sentence(self.pending, first=not self.sentences)
            self.stopped = True
        return out

    def _drain(self, at_eof: bool) -> list[str]:
        out: list[str] = []
        while not self.stopped:
            self._heading_line()
            end = _sentence_end(self.pending, at_eof, self.keep)
            brk = _BREAK.search(self.pending)
            if brk and (end is None or brk.start() < end):
                head = clean_sentence(self.pending[: brk.start()], first=not self.sentences)
                is_list = bool(brk.group().strip())
                if not self.sentences and not is_list and len(head.split()) <= 10:
                    self.pending = self.pending[brk.end() :]  # a heading or a label line
                    continue
                self.tail = head
                self.stopped = True
                break
            if end is None:
                if self.words + len(self.pending.split()) > self.max_words + 2:
                    self.over_budget = self.stopped = True  # +2: a label or quote may go
                break
            sentence = clean_sentence(self.pending[:end], first=not self.sentences)
            self.pending = self.pending[end:]
            if not sentence or not re.search(r"\w", sentence):
                continue
            if self.words + len(sentence.split()) > self.max_words:
                self.over_budget = self.stopped = True
                break
            self.sentences.append(sentence)
            out.append(sentence)
            if len(self.sentences) >= self.max_sentences:
                self.stopped = True
        return out

    def _heading_line(self) -> None:
        """Before the first sentence, a short first line without a sentence end is a heading."""
        if self.sentences or "\n" not in self.pending.lstrip():
            return
        line, rest = self.pending.lstrip().split("\n", 1)
        if _sentence_end(line, at_eof=True) is None and len(line.split()) <= 10:
            self.pending = rest


def trim_pitch(
    text: str, max_words: int = MAX_WORDS, max_sentences: int = MAX_SENTENCES, title: str = ""
) -> str:
    """The longest clean run of complete sentences that fits the budget ("" if none)."""
    splitter = SentenceSplitter(max_words, max_sentences, title)
    splitter.feed(text)
    splitter.finish()
    return " ".join(splitter.sentences)


def split_sentences(text: str, title: str = "") -> tuple[list[str], str]:
    """Complete sentences of a clean text, and what follows the last one (a ``title``'s own
    marks end no sentence: "Ms. Pat: Y'all Wanna Hear Something Crazy? is ...")."""
    sentences, rest = [], text.strip()
    keep = title_stops(title) if title else ()
    while rest:
        end = _sentence_end(rest, at_eof=True, keep=keep)
        if end is None:
            break
        sentences.append(rest[:end].strip())
        rest = rest[end:].strip()
    return sentences, rest


def words(text: str) -> int:
    return len(text.split())
