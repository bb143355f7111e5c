"""Orderings a person sees (why-feelings, a title's feelings, a mood's labels) never depend on
float noise: scores that agree to ``DECIMALS`` places are ties, and a tie keeps the items'
own order (their index). Another BLAS, numpy or torch build moves the last bits of a cosine,
and ``np.argsort`` on raw float32 then swaps equal-looking items from one machine to the next.
"""

from __future__ import annotations

import numpy as np

DECIMALS = 4


def descending(scores: np.ndarray | list[float], decimals: int = DECIMALS) -> list[int]:
    """Indices of ``scores`` from high to low; scores equal to ``decimals`` places keep index order."""
    rounded = np.round(np.asarray(scores, dtype=np.float64), decimals)
    return [int(i) for i in np.argsort(-rounded, kind="stable")]
