"""Colours from feelings: each feeling family has a pair; a poster's gradient mixes the
families of its title's feelings, weighted by their order (the first feeling counts most)."""

from __future__ import annotations

from moodreel.vibes.lexicon import EMOTION_FAMILIES

# (top, bottom) of the gradient per family
FAMILY_COLOURS: dict[str, tuple[str, str]] = {
    "light": ("#ffd166", "#ef476f"),
    "warm": ("#f4a261", "#9d0208"),
    "uplifting": ("#8ecae6", "#219ebc"),
    "tense": ("#3a0ca3", "#10002b"),
    "dark": ("#6a040f", "#03071e"),
    "sad": ("#5e6472", "#1d3557"),
    "worldly": ("#2a9d8f", "#264653"),
}
NEUTRAL = ("#6c757d", "#212529")
_FAMILY_OF = {e: f for f, words in EMOTION_FAMILIES.items() for e in words}


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def _mix(colours: list[tuple[str, float]]) -> str:
    total = sum(w for _, w in colours)
    parts = [_rgb(c) for c, _ in colours]
    return _hex(tuple(sum(p[i] * w for p, (_, w) in zip(parts, colours)) / total for i in range(3)))


def palette(feelings: list[str]) -> tuple[str, str, str]:
    """(top, bottom, text) colours for a title's feelings; neutral grey when none is known."""
    weighted = [
        (FAMILY_COLOURS[_FAMILY_OF[f]], 1.0 / (i + 1)) for i, f in enumerate(feelings) if f in _FAMILY_OF
    ]
    if not weighted:
        top, bottom = NEUTRAL
    else:
        top = _mix([(pair[0], w) for pair, w in weighted])
        bottom = _mix([(pair[1], w) for pair, w in weighted])
    r, g, b = _rgb(top)
    text = "#111111" if 0.299 * r + 0.587 * g + 0.114 * b > 170 else "#ffffff"
    return top, bottom, text
