"""Wanted feelings by pseudo-relevance feedback: the feelings of the titles that best match
what the request says about plot and genre.

The GoEmotions classifier reads what a sentence *expresses* (a Reddit comment's emotion),
not what a person asks to *watch*: "romcom set in new york" reads as adventure, panic,
intrigue. Here the request's plot and genre signals find the titles that fit it (the
first pass), and the feeling words those titles carry most often, weighted by rank, are
taken as the feelings to search the vibe with (the second pass). Feelings the viewer said
in words ("cozy", "cheer me up") stay first; feelings they avoid or only *have* are left
out. Pure: it gets the first pass's titles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from moodreel.signals import Weights

FEEDBACK_TITLES = 12
FEEDBACK_FEELINGS = 6
# The first pass: plot and genre, no vibe (that is what it is for), no quality floor.
FIRST_PASS = Weights(vibe=0.0, plot=0.5, genre=0.5, quality=0.0, known=0.05)


def feedback_feelings(
    emotions_by_rank: Sequence[Sequence[str]],
    n: int = FEEDBACK_FEELINGS,
    leave_out: Iterable[str] = (),
) -> list[str]:
    """The ``n`` feeling words most shared by the ranked titles (a title at rank r weighs
    1/(r+2); a word early in a title's list a little more)."""
    skip = set(leave_out)
    score: dict[str, float] = {}
    for rank, emotions in enumerate(emotions_by_rank):
        for place, word in enumerate(emotions):
            if word in skip:
                continue
            score[word] = score.get(word, 0.0) + (1.0 / (rank + 2)) * (1.0 - 0.05 * place)
    return sorted(score, key=lambda w: (-score[w], w))[:n]
