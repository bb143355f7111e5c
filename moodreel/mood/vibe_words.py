"""From a parsed mood to the words we search with: the mood's own emotions, plus vibes.

Mood parsers name what a person feels in the words of their training labels
(GoEmotions: "desire", "approval", ...); titles carry viewer-feeling words ("laughter",
"dread", "warmth"...). The search query uses both: the parser's informative emotions,
and the feeling words of the title vocabulary (``vibes.lexicon.EMOTIONS``) nearest to the
mood text itself, in the same MiniLM space the titles' vibes live in. On our 30-mood
genre-fit set this lifted precision@10 from 0.50 (classifier labels alone) to about
0.70; see bench/mood_genre.py.
"""

from __future__ import annotations

import numpy as np

from moodreel.embedding import Embedder
from moodreel.order import descending
from moodreel.vibes.lexicon import EMOTIONS

# GoEmotions labels that say how someone relates to the text, not a vibe to look for.
UNINFORMATIVE = frozenset(
    {
        "neutral",
        "desire",
        "approval",
        "disapproval",
        "realization",
        "caring",
        "annoyance",
        "admiration",
        "confusion",
    }
)
LEXICON_WORDS = 5
# Keep lexicon words within this cosine margin of the best one: "I want to laugh" is
# 0.55 from "laughter" but 0.29 from "horror", which must not tag along.
MARGIN = 0.15
MAX_WORDS = 8
# A request word this close to a feeling of the vocabulary is a feeling, not a plot topic.
FEELING_WORD = 0.62


# The nearest feeling words count only when the best of them is at least this close to the
# request: below it the sentence model does not know what the words mean ("romcom set in new
# york" is 0.17 from "adventure", its best; "my little sister is 12 and loves horses" 0.16
# from "fascination"), and the words it returns are noise. Chosen on the dev split by reading
# side by side (bench/graded_pairs.jsonl; RESULTS.md "Reading by side-by-side comparison").
MIN_NEAREST = 0.3


class VibeWords:
    def __init__(self, embedder: Embedder, min_similarity: float = MIN_NEAREST) -> None:
        self.embedder = embedder
        self.min_similarity = min_similarity
        self._lexicon: np.ndarray | None = None

    def _words(self) -> np.ndarray:
        if self._lexicon is None:
            self._lexicon = self.embedder.embed(list(EMOTIONS))
        return self._lexicon

    def feeling_of(self, word: str, threshold: float = FEELING_WORD) -> str | None:
        """The title-vocabulary feeling a word names ("nostalgic" -> nostalgia), if it names one."""
        sims = self._words() @ self.embedder.embed([word])[0]
        best = int(np.argmax(sims))
        return EMOTIONS[best] if float(sims[best]) >= threshold else None

    def nearest(self, text: str, n: int = LEXICON_WORDS, floor: float = 0.0) -> list[str]:
        """The feeling words nearest to ``text`` (within ``MARGIN`` of the best); none when
        the best is below ``floor``."""
        self._words()
        vector = self.embedder.embed([text])[0]
        sims = self._lexicon @ vector
        order = descending(sims)[:n]
        best = float(sims[order[0]])
        if best < floor:
            return []
        return [EMOTIONS[i] for i in order if float(sims[i]) >= best - MARGIN]

    def query_words(self, text: str, emotions: list[str]) -> list[str]:
        informative = [e for e in emotions if e not in UNINFORMATIVE]
        words = list(dict.fromkeys(informative + self.nearest(text, floor=self.min_similarity)))
        return words[:MAX_WORDS]
