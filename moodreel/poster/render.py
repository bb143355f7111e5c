"""SVG to PNG, offline: resvg (a Rust renderer in a PyPI wheel; no system library)."""

from __future__ import annotations

import resvg_py


def svg_to_png(svg: str, width: int | None = None) -> bytes:
    """PNG bytes of ``svg`` (``ValueError`` for markup resvg cannot render)."""
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, width=width))
