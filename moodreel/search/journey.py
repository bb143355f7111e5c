"""Mood journeys: an ordered walk of titles from how the viewer feels now to how they want to feel.

Both moods become fused query vectors (``MoodQuery.vector``). Step ``i`` of ``n`` searches
at the waypoint ``(1 - a)·from + a·to`` (unit vectors, ``a = i / (n - 1)``): the first
step meets the viewer where they are (the "iso principle" of music therapy), the last
is where they want to be. From each step's candidates the best-ranked title is picked
that is not on the path yet and keeps the path moving one way: each step closer to the
wanted mood (cosine of its stored vector with the target query) than the step before
(``pick_path``); where no candidate allows it, the step says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from moodreel.errors import MoodreelError
from moodreel.query.mood_query import MoodQuery
from moodreel.records import Hit
from moodreel.signals import Weights

MAX_STEPS = 8
# A journey is between feelings: the vibe and the genres lead, the plot only a little, and
# a word read as a topic ("sleepy") earns no literal-match bonus: "calm and sleepy" ended
# on a horror series set in "the sleepy village of Hemlock Grove" before.
JOURNEY_WEIGHTS = Weights(vibe=0.5, plot=0.1, genre=0.4)


class JourneyError(MoodreelError):
    """A journey that cannot be walked as asked (too few or too many steps)."""


@dataclass(frozen=True)
class Step:
    hit: Hit
    share: float  # how far along, 0 = the current mood, 1 = the wanted one
    to_target: float  # cosine of the title with the wanted mood
    closer: bool  # closer to the wanted mood than the step before


def as_feelings(query: MoodQuery) -> MoodQuery:
    """The mood as feelings: ``JOURNEY_WEIGHTS``, and its topics dropped from the re-ranking."""
    understood = query.understood.model_copy(update={"topics": []})
    return replace(query, weights=JOURNEY_WEIGHTS, understood=understood)


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return np.asarray(vector, dtype=np.float32) / (norm or 1.0)


def shares(steps: int) -> list[float]:
    """How far along each step is: 0 … 1 (one step: straight to the wanted mood)."""
    if steps == 1:
        return [1.0]
    return [i / (steps - 1) for i in range(steps)]


def waypoints(start: np.ndarray, end: np.ndarray, steps: int) -> list[np.ndarray]:
    a, b = unit(start), unit(end)
    return [unit((1 - s) * a + s * b) for s in shares(steps)]


def to_target(hit: Hit, target: np.ndarray) -> float:
    if hit.vector is None:
        raise ValueError("journey candidates need their vectors (search with_vectors=True)")
    return float(unit(hit.vector) @ unit(target))


def pick_path(candidates: Sequence[Sequence[Hit]], target: np.ndarray) -> list[Step]:
    """One title per step from that step's candidates (best first), none twice, each closer
    to ``target`` than the one before wherever a candidate allows it.

    Chosen from the end backwards: the last step is the best match for the wanted mood,
    then each earlier step is the best-ranked unused candidate *less* close to the target
    than the step after it (so an early step never overshoots and leaves the later ones
    nowhere to go). Where no candidate is less close, the least close one is taken and
    the step after it is marked as not closer."""
    steps = len(candidates)
    chosen: list[tuple[Hit, float, bool] | None] = [None] * steps
    used: set[str] = set()
    ceiling = np.inf
    for i in reversed(range(steps)):
        fresh = [(h, to_target(h, target)) for h in candidates[i] if h.title.id not in used]
        if not fresh:
            continue
        below = [(h, c) for h, c in fresh if c < ceiling]
        hit, cos = below[0] if below else min(fresh, key=lambda p: (p[1], p[0].title.id))
        chosen[i] = (hit, cos, bool(below))
        used.add(hit.title.id)
        ceiling = min(ceiling, cos)
    path: list[Step] = []
    last = -np.inf
    for share, pick in zip(shares(steps), chosen):
        if pick is None:
            continue
        hit, cos, _ = pick
        path.append(Step(hit, share, cos, cos > last))
        last = cos
    return path


def step_why(step: Step, number: int, total: int, start: str, end: str, before: float | None) -> str:
    """Why this title is on the path, in plain words."""
    if step.share == 0:
        where = f'step {number} of {total}: meets you where you are ("{start}")'
    elif step.share == 1:
        where = f'step {number} of {total}: where you want to be ("{end}")'
    else:
        where = f'step {number} of {total}: {round(step.share * 100)}% of the way to "{end}"'
    if before is None:
        return f'{where}; closeness to "{end}" {step.to_target:.3f}'
    if step.closer:
        return f"{where}; closer to it: {before:.3f} → {step.to_target:.3f}"
    return f"{where}; no closer title left here ({step.to_target:.3f})"
