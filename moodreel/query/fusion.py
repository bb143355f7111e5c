"""Per-request ranking: the final order and "why" (the weights are ``mood_query.weights_for``).

The store already ranks by the fused inner product (``signals``). Here the candidates
it returns are re-scored with what a vector cannot say: a topic word that literally
occurs in the synopsis, a negated topic or feeling, a genre pushed down. Everything is
deterministic: ties are broken by id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from moodreel.order import descending
from moodreel.query.mood_query import MoodQuery
from moodreel.query.understanding import Understood
from moodreel.records import Hit
from moodreel.signals import Layout

TOPIC_BONUS = 0.12
AVOID_TOPIC_PENALTY = 0.2
AVOID_FEELING_PENALTY = 0.03
SOFT_AVOID_GENRE_PENALTY = 0.12
# Under a certification ceiling (grandma, a 5-year-old), a title with no rating is unknown:
# it may pass the filter, but after the rated ones.
UNRATED_PENALTY = 0.08
# MiniLM puts opposites close (joy ~ despair ~0.5): only clear matches are named.
WHY_FEELING_THRESHOLD = 0.62
_SUFFIX = re.compile(r"(?:ies|es|s|ing|ed|er|ers)$")


def _stem(word: str) -> str:
    return _SUFFIX.sub("", word) if len(word) > 4 else word


def _pattern(words: Sequence[str]) -> re.Pattern | None:
    """Whole words with their inflections: "heist" finds "heists", "con" finds "cons" but
    never "concert" (a stem of four letters or less takes only a plural)."""
    found = sorted({" ".join(phrase.lower().split()) for phrase in words if len(phrase.strip()) > 2})
    if not found:
        return None
    parts = []
    for phrase in found:  # a phrase matches whole: "new york" never finds "New Zealand"
        head, _, word = phrase.rpartition(" ")
        lead = re.escape(head) + r"\s+" if head else ""
        stem = _stem(word)
        parts.append(lead + re.escape(word))
        parts.append(lead + re.escape(stem) + (r"(?:s|es)?" if len(stem) <= 4 else r"[a-z]{0,4}"))
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.I)


@dataclass(frozen=True)
class Ranked:
    hit: Hit
    score: float
    topic_match: str | None  # the synopsis snippet that names a requested topic


def _snippet(text: str, match: re.Match, width: int = 70) -> str:
    start = max(0, match.start() - width // 2)
    end = min(len(text), match.end() + width // 2)
    left = text.rfind(" ", 0, start) + 1 if start > 0 else 0
    right = text.find(" ", end)
    right = len(text) if right < 0 else right
    return ("…" if left > 0 else "") + text[left:right].strip(" ,.;") + ("…" if right < len(text) else "")


def rerank(
    hits: Sequence[Hit],
    understood: Understood,
    k: int,
    extra: dict[str, float] | None = None,
    topic_bonus: float = TOPIC_BONUS,
) -> list[Ranked]:
    """The store's fused score, adjusted for literal topic matches and soft avoids
    (``topic_bonus=0``: no literal boost, for the ablation)."""
    topics = _pattern(understood.topics)
    avoid_topics = _pattern(understood.avoid_topics)
    avoid_feelings = set(understood.avoid_feelings)
    soft_genres = set(understood.soft_avoid_genres)
    ranked = []
    for hit in hits:
        t = hit.title
        pushed_away = bool(
            soft_genres.intersection(t.genres)
            or avoid_feelings.intersection(t.emotions)
            or (avoid_topics and avoid_topics.search(f"{t.title} {t.description}"))
        )
        lift = (extra or {}).get(t.id, 0.0)
        # the request wins over taste: a viewer's habits never lift a title the request pushes away
        score = hit.similarity + (min(lift, 0.0) if pushed_away else lift)
        match = topics.search(t.description) if topics else None
        if match:
            found = {_stem(m.group(0).lower()) for m in topics.finditer(t.description)}
            share = min(1.0, len(found) / max(1, len(understood.topics)))
            score += topic_bonus * (0.5 + 0.5 * share)
        if avoid_topics and avoid_topics.search(f"{t.title} {t.description}"):
            score -= AVOID_TOPIC_PENALTY
        score -= AVOID_FEELING_PENALTY * min(4, len(avoid_feelings.intersection(t.emotions)))
        if soft_genres.intersection(t.genres):
            score -= SOFT_AVOID_GENRE_PENALTY
        if understood.max_certification and not t.age_certification:
            score -= UNRATED_PENALTY
        ranked.append(Ranked(hit, score, _snippet(t.description, match) if match else None))
    ranked.sort(key=lambda r: (-round(r.score, 6), r.hit.title.id))
    return ranked[:k]


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


_GENRE_NOUN = {
    "documentation": "documentary",
    "scifi": "sci-fi",
    "sport": "sports story",
    "family": "family film",
}


def explain(
    item: Ranked,
    query: MoodQuery,
    layout: Layout,
    feeling_vectors: np.ndarray | None,
    title_feeling_vectors: np.ndarray | None,
) -> list[str]:
    """Plain-words reasons: what in the plot matched, what it feels like, which ask it meets."""
    t, understood = item.hit.title, query.understood
    why: list[str] = []
    if item.topic_match:
        why.append(f'plot: "{item.topic_match}"')
    elif understood.topics and item.hit.vector is not None:
        if float(item.hit.vector[layout.plot] @ query.plot) >= 0.3:
            first = re.split(r"(?<=[.!?])\s", t.description.strip(), maxsplit=1)[0]
            why.append(f'plot: "{first[:90]}{"…" if len(first) > 90 else ""}"')
    if feeling_vectors is not None and title_feeling_vectors is not None and len(t.emotions):
        sims = title_feeling_vectors @ feeling_vectors.T
        best = sims.max(axis=1)
        order = descending(best)  # ties (within 1e-4) keep the title's own order
        unwanted = set(understood.avoid_feelings)
        words = [
            t.emotions[i] for i in order if best[i] >= WHY_FEELING_THRESHOLD and t.emotions[i] not in unwanted
        ][:3]
        if words:
            why.append("feels like: " + ", ".join(words))
    asked = [g for g in (understood.required_genres + understood.genres) if g in t.genres]
    if asked:
        noun = _GENRE_NOUN.get(asked[0], asked[0])
        why.append(f"{_article(noun)} {noun}, as you asked")
    if understood.audience in ("kids", "family") and t.age_certification:
        why.append(f"rated {t.age_certification}: fine for the family")
    if understood.countries and set(understood.countries).intersection(t.production_countries):
        why.append(
            f"{(understood.language or '').title()} ({', '.join(t.production_countries[:2])}), as you asked"
        )
    if understood.era and t.release_year:
        why.append(f"from {t.release_year}")
    return why
