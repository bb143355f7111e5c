"""Mood text -> emotions with the LLM (constrained JSON where the backend has it).

The text is cleaned first and passed to the prompt as quoted data; the answer must be
JSON with 1-5 single words, otherwise the parser asks once more and then raises
``MoodError``. Prompt-injection text gets emotions like any other text: the answer can
only ever be a list of words, so nothing of the prompt can leak through it.
"""

from __future__ import annotations

import json
import re

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field

from moodreel.llm.factory import json_response_format
from moodreel.llm.structured import InvalidAnswer, LLMCallError, ask_with_retry, json_schema
from moodreel.mood.base import MoodError, MoodParse, clean_mood_text
from moodreel.prompts import Prompt


class MoodAnswer(BaseModel):
    """The LLM's answer; its schema (``structured.json_schema``) constrains decoding."""

    emotions: list[str] = Field(
        min_length=1,
        max_length=5,
        json_schema_extra={"items": {"type": "string", "pattern": "^[a-z]{3,16}$"}},
    )


_WORD = re.compile(r"^[a-z]{3,16}$")


def _parse(text: str) -> list[str]:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("not a JSON object")
    data = json.loads(text[start : end + 1])
    raw = data.get("emotions") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise ValueError("no emotions list")
    words = []
    for item in raw:
        word = str(item).strip().lower()
        if _WORD.match(word) and word not in words:
            words.append(word)
    if not words:
        raise ValueError("no single-word emotions")
    return words[:5]


class LLMMoodParser:
    name = "llm"

    def __init__(
        self, model: BaseChatModel, prompt: Prompt, max_chars: int = 500, temperature: float = 0.0
    ) -> None:
        self.model = model
        self.temperature = temperature
        self.prompt = prompt
        self.max_chars = max_chars
        self._format = json_response_format(model, json_schema(MoodAnswer))

    def parse(self, text: str) -> MoodParse:
        mood = clean_mood_text(text, self.max_chars).replace("«", "").replace("»", "")
        messages = self.prompt.render(mood=mood)
        try:
            emotions = ask_with_retry(
                self.model,
                messages,
                _parse,
                lambda error: (
                    f'Invalid ({error}). Answer only with JSON like {{"emotions": ["joy", "comfort"]}}.'
                ),
                self._format,
                max_tokens=48,
                temperature=self.temperature,
            )
        except LLMCallError as exc:
            raise MoodError(f"The mood reader is unavailable right now ({exc}).") from exc
        except InvalidAnswer as exc:
            raise MoodError(
                f"Could not read emotions from that mood ({exc}); try describing how you feel."
            ) from None
        return MoodParse(emotions=emotions, parser=self.name)
