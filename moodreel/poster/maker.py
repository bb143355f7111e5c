"""A poster per (title, tagline): from the images endpoint when one is configured, else the
offline card. A generated picture (slow, maybe paid) is kept on disk by content; an offline
card (~50 ms) only in memory, so no mood-derived text is written to disk without need."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from moodreel.memo import Memo
from moodreel.poster.card import PosterFacts, poster_svg
from moodreel.poster.images import ImageEndpoint, ImageEndpointError
from moodreel.poster.render import svg_to_png

log = logging.getLogger(__name__)


class PosterMaker:
    def __init__(self, cache_dir: Path, endpoint: ImageEndpoint | None = None, cards_kept: int = 256) -> None:
        self.cache_dir = Path(cache_dir)
        self.endpoint = endpoint
        self._cards: Memo[str, bytes] = Memo(cards_kept)

    def _path(self, facts: PosterFacts, source: str) -> Path:
        digest = hashlib.sha256(f"{source}\x1e{facts.key()}".encode()).hexdigest()[:32]
        return self.cache_dir / f"{digest}.png"

    def make(self, facts: PosterFacts) -> bytes:
        """PNG (or the endpoint's image) bytes; an endpoint failure falls back to the card."""
        if self.endpoint is not None:
            path = self._path(facts, f"{self.endpoint.base_url}|{self.endpoint.model}")
            if path.exists():
                return path.read_bytes()
            try:
                return self._keep(path, self.endpoint.generate(facts))
            except ImageEndpointError as exc:
                log.warning("poster for %r: %s; using the offline card", facts.title, exc)
        card = self._cards.get(facts.key())
        if card is None:
            card = svg_to_png(poster_svg(facts))
            self._cards.keep(facts.key(), card)
        return card

    def _keep(self, path: Path, image: bytes) -> bytes:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.partial")
            partial.write_bytes(image)
            partial.replace(path)
        except OSError as exc:  # a full or read-only disk costs the cache, not the poster
            log.warning("could not keep the poster in %s: %s", path.parent, exc)
        return image
