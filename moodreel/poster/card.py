"""The poster card as SVG: title, tagline, emojis and feelings over a gradient of the
feelings' colours (``palette``). Every text is escaped; nothing is fetched."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape

from moodreel.poster.palette import palette

WIDTH, HEIGHT = 600, 900


@dataclass(frozen=True)
class PosterFacts:
    """What a poster shows. ``tagline`` is the viewer's (or a template's) line."""

    title: str
    tagline: str
    emojis: str = ""
    feelings: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    year: int | None = None
    kind: str = "film"

    def key(self) -> str:
        return "\x1f".join(
            [self.title, self.tagline, self.emojis, ",".join(self.feelings), ",".join(self.genres),
             str(self.year), self.kind]
        )  # fmt: skip


def _lines(text: str, width: int, most: int) -> list[str]:
    lines = textwrap.wrap(" ".join(text.split()), width) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1].rstrip(" .,;:") + "…"
    return lines


def _text(
    lines: list[str], x: int, y: int, size: int, colour: str, weight: str = "normal", style: str = ""
) -> str:
    spans = "".join(
        f'<tspan x="{x}" dy="{0 if i == 0 else round(size * 1.2)}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    extra = f' font-style="{style}"' if style else ""
    return (
        f'<text x="{x}" y="{y}" font-family="DejaVu Sans, sans-serif" font-size="{size}" '
        f'font-weight="{weight}" fill="{colour}" text-anchor="middle"{extra}>{spans}</text>'
    )


def poster_svg(facts: PosterFacts) -> str:
    top, bottom, ink = palette(list(facts.feelings))
    title_size = 64 if len(facts.title) <= 14 else 48 if len(facts.title) <= 28 else 38
    title_lines = _lines(facts.title, max(8, int(WIDTH / (title_size * 0.62))), 4)
    tagline_lines = _lines(facts.tagline, 30, 3)
    meta = " · ".join(str(b) for b in (facts.kind, facts.year, ", ".join(facts.genres[:3])) if b)
    feelings = " · ".join(facts.feelings[:4])
    cx = WIDTH // 2
    title_y = 330 - (len(title_lines) - 1) * title_size * 0.6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">',
        '<defs><linearGradient id="bg" x1="0" y1="0" x2="0.35" y2="1">'
        f'<stop offset="0" stop-color="{top}"/><stop offset="1" stop-color="{bottom}"/></linearGradient></defs>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#bg)"/>',
        f'<rect x="24" y="24" width="{WIDTH - 48}" height="{HEIGHT - 48}" rx="18" fill="none" '
        f'stroke="{ink}" stroke-opacity="0.35" stroke-width="2"/>',
        _text([facts.emojis[:12]], cx, 150, 72, ink),
        _text(title_lines, cx, int(title_y), title_size, ink, "bold"),
        _text(tagline_lines, cx, 600, 30, ink, style="italic"),
        _text([feelings], cx, 760, 22, ink),
        _text([meta], cx, 800, 20, ink),
        _text(["moodreel"], cx, 860, 18, ink, "bold"),
        "</svg>",
    ]
    return "".join(parts)
