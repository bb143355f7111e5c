"""A generated picture from an OpenAI-compatible images endpoint (OpenAI, or a local
Stable Diffusion server that speaks the same API), when one is configured."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from moodreel.errors import MoodreelError
from moodreel.poster.card import PosterFacts


class ImageEndpointError(MoodreelError):
    """The images endpoint failed or answered something that is not an image."""


def image_prompt(facts: PosterFacts) -> str:
    """What to draw: the mood and story of the title, never its text (models misspell it)."""
    feelings = ", ".join(facts.feelings[:4]) or "cinematic"
    genres = ", ".join(facts.genres[:3]) or "film"
    return (
        f"A {genres} poster illustration evoking {feelings}; visual motifs: {facts.emojis}. "
        f"Mood: {facts.tagline}. No text, no letters, no logos."
    )


@dataclass
class ImageEndpoint:
    base_url: str
    model: str
    api_key: str = "not-needed"
    size: str = "1024x1024"
    timeout_s: float = 120.0

    def generate(self, facts: PosterFacts) -> bytes:
        from openai import OpenAI, OpenAIError

        client = OpenAI(base_url=self.base_url, api_key=self.api_key, timeout=self.timeout_s, max_retries=1)
        try:
            answer = client.images.generate(
                model=self.model, prompt=image_prompt(facts), size=self.size, n=1, response_format="b64_json"
            )
        except OpenAIError as exc:
            raise ImageEndpointError(f"images endpoint {self.base_url}: {exc}") from exc
        data = answer.data[0].b64_json if answer.data else None
        if not data:
            raise ImageEndpointError(f"images endpoint {self.base_url} sent no image data")
        image = base64.b64decode(data)
        if not image.startswith((b"\x89PNG", b"\xff\xd8", b"RIFF")):
            raise ImageEndpointError(f"images endpoint {self.base_url} sent something that is not an image")
        return image
